using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gecko.Testing;
using NetMQ;
using NetMQ.Sockets;
using Xunit;

namespace Gecko.Launch.Tests.Cli;

/// <summary>
/// <c>gecko core</c> as a real child process: reports, clean stops on SIGINT and SIGTERM, and clear errors. Its core file
/// goes to a temp directory of the test's own (TMPDIR), its ports are chosen by the OS, its key is unique.
/// </summary>
public sealed partial class CoreCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempFolder _temp = new("gecko-core-cli-test-");
    private readonly string _key = $"test-{Guid.NewGuid():N}";

    private Dictionary<string, string> Environment() => new() { ["TMPDIR"] = _temp.Path };

    private ChildProcess StartCore(params string[] extra) =>
        ChildProcess.Gecko(["core", "--in", "tcp://127.0.0.1:0", "--out", "tcp://127.0.0.1:0", "--key", _key, .. extra], Environment());

    /// <summary>Waits for the start line and returns the in and out endpoints it names.</summary>
    private static async Task<(string In, string Out, int Pid)> StartedAsync(ChildProcess core)
    {
        var line = await core.WaitForLineAsync(l => l.StartsWith("GeckoCore started:", StringComparison.Ordinal), Timeout);
        var match = StartLine().Match(line);
        Assert.True(match.Success, line);
        return (match.Groups["in"].Value, match.Groups["out"].Value, int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^GeckoCore started: in (?<in>\S+)\s+out (?<out>\S+)\s.*\bpid (?<pid>\d+)\)$")]
    private static partial Regex StartLine();

    /// <summary>A topic line of the plain report, e.g. <c>   chatter ....... 123.4 msgs/s    1.2 kB/s</c>.</summary>
    [GeneratedRegex(@"^\s+chatter \.+\s+(?<rate>[0-9.]+) msgs/s\s+[0-9.]+ kB/s$")]
    private static partial Regex ChatterLine();

    [Theory]
    [InlineData(2, "SIGINT")]
    [InlineData(15, "SIGTERM")]
    public async Task Core_WithTraffic_ReportsTheTopicAndStopsCleanlyOnSignal(int signal, string name)
    {
        using var core = StartCore("--interval", "0.2");
        var (inAddress, _, pid) = await StartedAsync(core);
        var coreFile = Path.Combine(_temp.Path, $"gecko-{pid}.json");
        Assert.True(File.Exists(coreFile), $"core file {coreFile}");
        Assert.Contains(inAddress, await File.ReadAllTextAsync(coreFile));

        // Publish while reading: every report of an interval with traffic names the topic with a rate above zero.
        using (var publisher = new PublisherSocket())
        {
            publisher.Options.Linger = TimeSpan.Zero;
            publisher.Connect(inAddress);
            var reports = 0;
            var deadline = DateTime.UtcNow + Timeout;
            while (reports < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, $"Fewer than two reports with traffic on chatter ({name}):\n{core.Transcript}");
                for (var i = 0; i < 20; i++) publisher.SendMoreFrame("chatter").SendFrame(new byte[64]);
                var line = await core.TryWaitForLineAsync(l => ChatterLine().IsMatch(l), TimeSpan.FromMilliseconds(50));
                if (line is not null && double.Parse(ChatterLine().Match(line).Groups["rate"].Value, CultureInfo.InvariantCulture) > 0) reports++;
            }
        }

        core.Signal(signal);

        await core.WaitForLineAsync(l => l == "GeckoCore stopped.", Timeout);
        Assert.Equal(0, await core.WaitForExitAsync(Timeout));
        Assert.False(File.Exists(coreFile), "the core file is removed on a clean stop");
        Assert.DoesNotContain("stderr:", core.Transcript);
    }

    [Fact]
    public async Task Core_PortInUse_SaysSoOnOneLineAndExitsNonZero()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        using var core = ChildProcess.Gecko(["core", "--in", $"tcp://127.0.0.1:{port}", "--out", "tcp://127.0.0.1:0", "--key", _key], Environment());
        var (exit, lines) = await core.RunToEndAsync(Timeout);

        Assert.NotEqual(0, exit);
        var errors = lines.Where(l => l.StartsWith("stderr:", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(errors);
        Assert.Contains($"tcp://127.0.0.1:{port}", error);
        Assert.Contains("already in use", error);
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)); // no stack trace
        Assert.Empty(Directory.GetFiles(_temp.Path, "gecko-*.json"));
    }

    [Theory]
    [InlineData("--interval abc", "abc")]
    [InlineData("--interval 0.01", "--interval 0.01 is out of range")]
    [InlineData("--in udp://127.0.0.1:5", "--in = 'udp://127.0.0.1:5' is neither a tcp:// nor an ipc:// endpoint")]
    [InlineData("--out tcp://127.0.0.1:99999", "use a number from 0 to 65535")]
    [InlineData("--in tcp://127.0.0.1:7 --out tcp://127.0.0.1:7", "give them different ports or paths")]
    [InlineData("--key \"\"", "--key is blank")]
    [InlineData("--bogus", "--bogus")]
    public async Task Core_BadFlag_SaysWhatIsWrongAndExitsNonZero(string flags, string expected)
    {
        using var core = ChildProcess.Gecko(["core", .. SplitFlags(flags)], Environment());
        var (exit, lines) = await core.RunToEndAsync(Timeout);

        Assert.NotEqual(0, exit);
        Assert.Contains(lines, l => l.StartsWith("stderr:", StringComparison.Ordinal) && l.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("GeckoCore started", StringComparison.Ordinal));
    }

    private static IEnumerable<string> SplitFlags(string flags) =>
        flags.Split(' ').Select(f => f == "\"\"" ? "" : f);

    [Fact]
    public async Task Core_OnIpcEndpoints_ServesUnixSocketsAndRemovesThemOnStop()
    {
        var inSocket = _temp.Combine("in.sock");
        var outSocket = _temp.Combine("out.sock");
        using var core = ChildProcess.Gecko(["core", "--in", $"ipc://{inSocket}", "--out", $"ipc://{outSocket}", "--key", _key, "--quiet"], Environment());

        var (inAddress, outAddress, _) = await StartedAsync(core);

        Assert.Equal($"ipc://{inSocket}", inAddress);
        Assert.Equal($"ipc://{outSocket}", outAddress);
        Assert.True(File.Exists(inSocket) && File.Exists(outSocket));
        await RunReadmePythonExampleAsync(inAddress, outAddress);
        core.Signal(2);
        Assert.Equal(0, await core.WaitForExitAsync(Timeout));
        Assert.False(File.Exists(inSocket) || File.Exists(outSocket), "socket files removed on stop");
    }

    [Fact]
    public async Task Readme_PythonExample_WorksAgainstARunningCore()
    {
        using var core = StartCore("--quiet");
        var (inAddress, outAddress, _) = await StartedAsync(core);

        await RunReadmePythonExampleAsync(inAddress, outAddress);

        core.Signal(2);
        Assert.Equal(0, await core.WaitForExitAsync(Timeout));
    }

    /// <summary>
    /// Runs the README's paste-able Python publisher and subscriber as written, with the hub's default endpoints
    /// swapped for this hub's (tests never use the default ports), and checks what it prints.
    /// </summary>
    private async Task RunReadmePythonExampleAsync(string inAddress, string outAddress)
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "README.md"));
        var start = readme.IndexOf("A Python publisher and subscriber a user can paste", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README has its Python example");
        var code = readme[(readme.IndexOf("```python\n", start, StringComparison.Ordinal) + "```python\n".Length)..];
        code = code[..code.IndexOf("```", StringComparison.Ordinal)];
        Assert.True(code.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 12, "the example stays short enough to paste");
        Assert.Contains("tcp://127.0.0.1:9998", code);
        Assert.Contains("tcp://127.0.0.1:9999", code);
        var script = _temp.Write($"readme-{Guid.NewGuid():N}.py",
            code.Replace("tcp://127.0.0.1:9998", inAddress).Replace("tcp://127.0.0.1:9999", outAddress));

        using var python = ChildProcess.Program(ChildProcess.DebianPython, [script]);
        var (exit, lines) = await python.RunToEndAsync(Timeout);

        Assert.True(exit == 0, string.Join('\n', lines));
        var printed = Assert.Single(lines);
        Assert.StartsWith("b'imu' [[0.0, 0.0, 9.81], [0.0, 0.0, 0.1], [20.0, -5.0, 40.0], ", printed);
    }

    public void Dispose() => _temp.Dispose();
}
