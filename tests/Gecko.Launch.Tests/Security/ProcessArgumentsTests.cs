using System.Text.Json;
using Gecko.Launch.Launching;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Security;

/// <summary>
/// A launch file's arguments and environment reach the process as arrays, never through a shell: every shell
/// metacharacter arrives literally and nothing it would have run happens. Checked with the real <c>gecko launch</c> and
/// a Python child that prints exactly what it was given.
/// </summary>
public sealed class ProcessArgumentsTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempFolder _folder = new("gecko-launch-args-");

    public void Dispose() => _folder.Dispose();

    private const string Printer = """
        import json, os, sys
        print("ARGS " + json.dumps(sys.argv[1:]))
        print("ENV " + json.dumps([os.environ.get("GECKO_EVIL"), os.environ.get("GECKO_PATHLIKE")]))
        """;

    [Fact]
    public async Task Launch_ShellMetacharactersInArgsAndEnvironment_ReachTheChildLiterallyAndRunNothing()
    {
        var marker = _folder.Combine("pwned");
        var script = _folder.Write("printer.py", Printer);
        string[] arguments =
        [
            $"$(touch {marker})", $"`touch {marker}`", $"; touch {marker}", $"&& touch {marker}", $"| tee {marker}", $"> {marker}",
            "$HOME", "${HOME}", "*", "~", "'single'", "\"double\"", "back\\slash", "a b  c", "", "new\nline", "tab\there", "#hash",
        ];
        var evil = $"$(touch {marker}); `touch {marker}` | tee {marker} && rm -rf {marker}.none";
        var file = _folder.Write("args.conf", $$"""
            gecko.core {
              in-address = "tcp://127.0.0.1:0"
              out-address = "tcp://127.0.0.1:0"
              core-file-directory = {{Quote(_folder.Combine("core"))}}
            }
            gecko.processes.printer {
              command = /usr/bin/python3
              args = [{{Quote(script)}}, {{string.Join(", ", arguments.Select(Quote))}}]
              environment { GECKO_EVIL = {{Quote(evil)}}, GECKO_PATHLIKE = "$PATH:${PATH}" }
              required = true
            }
            """);

        using var gecko = ChildProcess.Gecko(["launch", file, "--plain", "--run-dir", _folder.Combine("run")]);
        var argsLine = await gecko.WaitForLineAsync(l => l.Contains("ARGS [", StringComparison.Ordinal), Timeout);
        var envLine = await gecko.WaitForLineAsync(l => l.Contains("ENV [", StringComparison.Ordinal), Timeout);
        Assert.Equal(Launcher.RequiredProcessEnded, await gecko.WaitForExitAsync(Timeout));

        Assert.Equal(arguments, JsonSerializer.Deserialize<string[]>(argsLine[(argsLine.IndexOf("ARGS ", StringComparison.Ordinal) + 5)..]));
        Assert.Equal(new[] { evil, "$PATH:${PATH}" }, JsonSerializer.Deserialize<string[]>(envLine[(envLine.IndexOf("ENV ", StringComparison.Ordinal) + 4)..]));
        Assert.False(File.Exists(marker), "a shell ran something from the launch file");
    }

    /// <summary>A HOCON quoted string (JSON escapes), so the file holds exactly <paramref name="text"/>.</summary>
    private static string Quote(string text) => JsonSerializer.Serialize(text);
}
