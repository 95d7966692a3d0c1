using System.Diagnostics;
using System.Text;
using Gecko.Launch.LaunchFiles;
using Gecko.Launch.LaunchFiles.Internal;
using Gecko.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Gecko.Launch.Tests.LaunchFiles;

/// <summary>
/// Bounded random launch files: token soup of HOCON's own characters and keywords, mutations of the reference launch
/// file, and hostile shapes (nesting a hundred thousand deep, unterminated strings and comments). The scanner must
/// answer each within a time limit with a syntax error or nothing, and a whole load must give a plan or a
/// <see cref="LaunchFileException"/> naming the file — never another exception, a hang or a stack overflow (Akka's
/// HOCON parser hangs or overflows on some of these; the scanner keeps them from reaching it).
/// </summary>
public sealed class LaunchFileFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int ScannerInputs = 20_000;
    private const int Loads = 300;
    private static readonly TimeSpan PerInput = TimeSpan.FromSeconds(10);

    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", "=", ":", "+=", ",", ".", "\n", "\r\n", " ", "\t", "\"", "\"\"\"", "'", "\\", "#", "//", "/*", "*/",
        "${", "${?", "include", "include file(\"x\")", "required(", "gecko", "processes", "nodes", "core", "a", "b-c", "1", "2.5",
        "1e400", "-", "true", "null", "100 MiB", "10s", "é", "日本", "😀", "\u0000", "\u001B", "\uFFFD", "$", "?", "@", "!", "`",
    ];

    private readonly TempFolder _folder = new("gecko-launch-fuzz-");

    private sealed class NoListener : IHoconScanListener
    {
        public void Key(string path, int line) { }
        public void Include(string path, string target, int line) { }
        public void Substitution(string path, int line) { }
    }

    private static string Soup(Random random, int tokens)
    {
        var text = new StringBuilder();
        for (var i = 0; i < tokens; i++) text.Append(Tokens[random.Next(Tokens.Length)]);
        return text.ToString();
    }

    private static string Mutated(Random random, string source)
    {
        var text = new StringBuilder(source);
        for (var n = random.Next(1, 6); n > 0; n--)
        {
            var at = random.Next(text.Length);
            switch (random.Next(3))
            {
                case 0: text.Remove(at, Math.Min(random.Next(1, 20), text.Length - at)); break;
                case 1: text.Insert(at, Tokens[random.Next(Tokens.Length)]); break;
                default: text[at] = (char)random.Next(32, 127); break;
            }
        }
        return text.ToString();
    }

    private static void Within(Action action, string input)
    {
        var task = Task.Factory.StartNew(action, TaskCreationOptions.LongRunning);
        try
        {
            if (!task.Wait(PerInput)) throw new TimeoutException($"No answer within {PerInput} for:\n{input[..Math.Min(300, input.Length)]}");
        }
        catch (AggregateException e)
        {
            throw new InvalidOperationException($"Threw {e.InnerException!.GetType().Name} for:\n{input[..Math.Min(300, input.Length)]}", e.InnerException);
        }
    }

    [Fact]
    public async Task Scan_RandomAndMutatedText_AnswersEveryInput()
    {
        var random = new Random(11);
        var reference = File.ReadAllText(Path.Combine(Repository.Root, "hocon", "reference-launch.conf"));
        var inputs = Enumerable.Range(0, ScannerInputs).Select(i => i % 2 == 0 ? Soup(random, random.Next(1, 200)) : Mutated(random, reference)).ToArray();
        var clock = Stopwatch.StartNew();
        // One worker for all inputs, watched: the limit is per input (a busy machine slows the whole batch, not one input).
        var done = -1;
        var worker = Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                HoconScanner.Scan(inputs[i], "", new NoListener());
                Volatile.Write(ref done, i);
            }
        }, TaskCreationOptions.LongRunning);
        var (lastDone, lastProgress) = (-1, Stopwatch.GetTimestamp());
        while (await Task.WhenAny(worker, Task.Delay(50)) != worker)
        {
            var now = Volatile.Read(ref done);
            if (now != lastDone) (lastDone, lastProgress) = (now, Stopwatch.GetTimestamp());
            else if (Stopwatch.GetElapsedTime(lastProgress) > PerInput)
                throw new TimeoutException($"No answer within {PerInput} for input {now + 1}:\n{inputs[now + 1][..Math.Min(300, inputs[now + 1].Length)]}");
        }
        await worker;
        output.WriteLine($"{ScannerInputs:N0} random and mutated texts scanned in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void Load_RandomAndMutatedFiles_GiveAPlanOrAnErrorAtTheFile()
    {
        var random = new Random(12);
        var reference = File.ReadAllText(Path.Combine(Repository.Root, "hocon", "reference-launch.conf"));
        var file = Path.Combine(_folder.Path, "fuzz.conf");
        int refused = 0, accepted = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Loads; i++)
        {
            var text = i % 3 == 0 ? Soup(random, random.Next(1, 100)) : Mutated(random, reference);
            File.WriteAllText(file, text);
            Within(() =>
            {
                try
                {
                    LaunchFile.Load(file);
                    Interlocked.Increment(ref accepted);
                }
                catch (LaunchFileException e)
                {
                    Assert.All(e.Errors, error => Assert.Contains("fuzz.conf", error.ToString()));
                    Interlocked.Increment(ref refused);
                }
            }, text);
        }
        output.WriteLine($"{Loads} random launch files loaded in {clock.Elapsed.TotalSeconds:0.0} s: {accepted} accepted, {refused} refused at their file");
        Assert.True(refused > 0);
    }

    public static TheoryData<string, string> Hostile() => new()
    {
        { "objects nested 100 000 deep", "gecko " + new string('{', 100_000) + new string('}', 100_000) },
        { "unclosed objects 100 000 deep", "gecko = " + string.Concat(Enumerable.Repeat("{ a ", 100_000)) },
        { "arrays nested 100 000 deep", "gecko.core.key = " + new string('[', 100_000) + new string(']', 100_000) },
        { "a path 100 000 keys long", "gecko." + string.Join('.', Enumerable.Repeat("a", 100_000)) + " = 1" },
        { "substitutions in a cycle", "a = ${b}\nb = ${a}\ngecko.core.key = ${a}" },
        { "a substitution 100 000 deep", "gecko.core.key = " + string.Concat(Enumerable.Repeat("${", 100_000)) },
        { "an unterminated string", "gecko.core.key = \"" + new string('x', 100_000) },
        { "an unterminated triple-quoted string", "gecko.core.key = \"\"\"" + new string('x', 100_000) },
        { "an unterminated comment", "/* gecko { }" },
        { "a million plus-equals", string.Concat(Enumerable.Repeat("a += 1\n", 100_000)) },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Load_HostileShape_IsRefusedOrReadWithinTheTimeLimit(string shape, string text)
    {
        var file = Path.Combine(_folder.Path, "hostile.conf");
        File.WriteAllText(file, text);
        Within(() =>
        {
            HoconScanner.Scan(text, "", new NoListener());
            try
            {
                LaunchFile.Load(file);
            }
            catch (LaunchFileException e)
            {
                Assert.All(e.Errors, error => Assert.Contains("hostile.conf", error.ToString()));
            }
        }, shape);
    }

    [Theory]
    [InlineData("a = ${b}\nb = ${a}\n", 2, "(a → b → a)")]
    [InlineData("a = ${a}\n", 1, "(a → a)")]
    [InlineData("x { y = ${z} }\nz = [${x}]\n", 2, "(x.y → z → x.y)")]
    public void Scan_SubstitutionCycle_IsRefusedAtTheSubstitutionThatClosesIt(string text, int line, string cycle)
    {
        var error = HoconScanner.Scan(text, "", new NoListener());

        Assert.NotNull(error);
        Assert.Equal(line, error.Line);
        Assert.Contains($"makes a cycle of substitutions {cycle}", error.Message);
        Assert.Null(HoconScanner.Scan("a = 1\nb = ${a}\nc { d = ${b} }\n", "", new NoListener()));
    }

    public void Dispose() => _folder.Dispose();
}
