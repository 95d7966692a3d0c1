using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Dashboard;

/// <summary><c>gecko core</c> as a user runs it: on a terminal (a pseudo-terminal made by <c>script</c>) and into a pipe.</summary>
public sealed partial class GeckoCoreDashboardTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempFolder _temp = new();

    // The core file goes to the temp directory: this test's own, never the machine's.
    private Dictionary<string, string> Environment() => new() { ["TMPDIR"] = _temp.Path, ["TERM"] = "xterm-256color" };

    private static readonly string[] CoreArguments = ["core", "--in", "tcp://127.0.0.1:0", "--out", "tcp://127.0.0.1:0", "--interval", "0.3"];

    [Fact]
    public async Task GeckoCore_OnATerminal_DrawsTheLiveDashboardAndStopsOnCtrlC()
    {
        // A terminal as wide as a user's: a pseudo-terminal made without one starts at 0 × 0.
        var command = "stty cols 120 rows 50; exec " + string.Join(' ', ["dotnet", Path.Combine(AppContext.BaseDirectory, "gecko.dll"), .. CoreArguments]);
        using var terminal = ChildProcess.Program("/usr/bin/script", ["--quiet", "--return", "--command", command, "/dev/null"], Environment());

        var started = await terminal.WaitForLineAsync(l => l.Contains("GeckoCore started:"), Timeout);
        var pid = int.Parse(started[(started.LastIndexOf("pid ", StringComparison.Ordinal) + 4)..].TrimEnd(')', '\r'));
        // The live view: boxes drawn in place (cursor movements), the sections of the report.
        await terminal.WaitForLineAsync(l => Text(l).Contains("hub  CPU"), Timeout);
        await terminal.WaitForLineAsync(l => Text(l).Contains("connections  listening 127.0.0.1:"), Timeout);
        Assert.Contains("\u001b[", terminal.Transcript, StringComparison.Ordinal);
        Assert.Contains("╭──", terminal.Transcript, StringComparison.Ordinal);
        Assert.Contains("processes (0)", Text(terminal.Transcript), StringComparison.Ordinal);
        Assert.DoesNotContain("== GeckoCore", terminal.Transcript, StringComparison.Ordinal);

        Assert.Equal(0, kill(pid, 2)); // SIGINT, as Ctrl-C sends it

        await terminal.WaitForLineAsync(l => l.Contains("GeckoCore stopped."), Timeout);
        Assert.Equal(0, await terminal.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task GeckoCore_IntoAPipe_PrintsPlainTextBlocks()
    {
        using var core = ChildProcess.Gecko(CoreArguments, Environment());

        var started = await core.WaitForLineAsync(l => l.StartsWith("GeckoCore started:"), Timeout);
        await core.WaitForLineAsync(l => l.StartsWith("== GeckoCore ["), Timeout);
        await core.WaitForLineAsync(l => l.StartsWith(" hub: CPU"), Timeout);
        await core.WaitForLineAsync(l => l.StartsWith(" messages: "), Timeout);
        var connections = await core.WaitForLineAsync(l => l.StartsWith(" connections: listening 127.0.0.1:"), Timeout);
        await core.WaitForLineAsync(l => l == " processes: none registered", Timeout);
        Assert.DoesNotContain('\u001b', core.Transcript);
        var inPort = started.Split(' ')[3].Split(':')[2];
        Assert.Contains($"127.0.0.1:{inPort} (in)", connections);

        core.Signal(2);

        await core.WaitForLineAsync(l => l == "GeckoCore stopped.", Timeout);
        Assert.Equal(0, await core.WaitForExitAsync(Timeout));
    }

    /// <summary>The text of terminal output, without its control sequences.</summary>
    private static string Text(string line) => AnsiControl().Replace(line, "");

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[A-Za-z]|[=>])")]
    private static partial Regex AnsiControl();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public void Dispose() => _temp.Dispose();
}
