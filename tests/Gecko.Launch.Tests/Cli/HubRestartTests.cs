using System.Globalization;
using System.Text.RegularExpressions;
using Gecko.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Gecko.Launch.Tests.Cli;

/// <summary>
/// The whole chain as a user runs it: <c>gecko core</c>, a standalone talker and listener that find it by its core file
/// (in a temp folder of the test's own, through TMPDIR), the hub killed with SIGKILL and started again on its addresses.
/// </summary>
public sealed partial class HubRestartTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private Dictionary<string, string> Environment() => new()
    {
        ["TMPDIR"] = _temp.Path,
        ["GECKO_CORE_IN"] = "",
        ["GECKO_CORE_OUT"] = "",
        ["GECKO_CORE_KEY"] = "",
    };

    [GeneratedRegex(@"^GeckoCore started: in (\S+)  out (\S+)")]
    private static partial Regex StartLine();

    [GeneratedRegex(@"^imu \d+: .* t (\S+)$")]
    private static partial Regex ImuLine();

    private async Task<(ChildProcess Hub, string In, string Out)> StartHub(string inAddress, string outAddress)
    {
        var hub = ChildProcess.Gecko(["core", "--in", inAddress, "--out", outAddress, "--key", $"test-{Guid.NewGuid():N}", "--quiet"], Environment());
        var started = StartLine().Match(await hub.WaitForLineAsync(l => StartLine().IsMatch(l), Timeout));
        return (hub, started.Groups[1].Value, started.Groups[2].Value);
    }

    [Fact]
    public async Task KilledHub_RestartedOnItsAddresses_StandaloneListenerReceivesAgainWithoutARestart()
    {
        var (hub, inAddress, outAddress) = await StartHub("tcp://127.0.0.1:0", "tcp://127.0.0.1:0");
        using var firstHub = hub;
        using var listener = ChildProcess.Dotnet("Gecko.Examples.Standalone.dll", ["listener", "--topic", "restart"], Environment());
        var found = await listener.WaitForLineAsync(l => l.Contains("listener: hub in"), Timeout);
        Assert.Contains($"hub in {inAddress}, out {outAddress} (from the core file of hub pid {hub.Pid}", found);
        await listener.WaitForLineAsync(l => l.StartsWith("listener ready"), Timeout);
        using var talker = ChildProcess.Dotnet("Gecko.Examples.Standalone.dll", ["talker", "--topic", "restart", "--hz", "20"], Environment());
        await listener.WaitForLineAsync(l => ImuLine().IsMatch(l), Timeout);

        hub.Signal(9);
        await hub.WaitForExitAsync(Timeout);
        var (secondHub, _, _) = await StartHub(inAddress, outAddress);
        using var restarted = secondHub;
        var restartedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        // Lines still buffered from before the kill carry older timestamps: wait for one the talker sent after the restart.
        await listener.WaitForLineAsync(l => ImuLine().Match(l) is { Success: true } m
            && double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) > restartedAt, Timeout);
        Assert.False(listener.HasExited);
        Assert.False(talker.HasExited);
    }

    [GeneratedRegex(@"^resumed (\S+) (\S+)$")]
    private static partial Regex ResumedLine();

    [Fact]
    public async Task KilledHubUnderLoad_Restarted_CSharpAndPythonNodesReconnectAndResubscribeByThemselves()
    {
        var (hub, inAddress, outAddress) = await StartHub("tcp://127.0.0.1:0", "tcp://127.0.0.1:0");
        using var firstHub = hub;
        using var listener = ChildProcess.Dotnet("Gecko.Examples.Standalone.dll", ["listener", "--topic", "restart"], Environment());
        await listener.WaitForLineAsync(l => l.StartsWith("listener ready"), Timeout);
        using var talker = ChildProcess.Dotnet("Gecko.Examples.Standalone.dll", ["talker", "--topic", "restart", "--hz", "200"], Environment());
        // pygecko's kind of node: a pyzmq PUB and SUB, publishing 2000 msgs/s through the hub and hearing itself and the talker.
        using var python = ChildProcess.Python("Reliability/resuming_node.py", [inAddress, outAddress, "2000", "pyload", "restart"]);
        await ResumedAsync(python, after: 0);
        await listener.WaitForLineAsync(l => ImuLine().IsMatch(l), Timeout);

        hub.Signal(9);
        await hub.WaitForExitAsync(Timeout);
        var killedAt = Now();
        var (secondHub, _, _) = await StartHub(inAddress, outAddress);
        using var restarted = secondHub;
        var restartedAt = Now();

        // The first message each subscriber gets after the restart, as the time it arrived.
        var resumed = await ResumedAsync(python, after: killedAt);
        await listener.WaitForLineAsync(l => ImuLine().Match(l) is { Success: true } m
            && double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) > killedAt, Timeout);
        var listenerResumed = Now();

        output.WriteLine($"hub restart ready {restartedAt - killedAt:0.000} s after the kill; first message after ready: " +
                          $"python→python {resumed["pyload"] - restartedAt:0.000} s, C#→python {resumed["restart"] - restartedAt:0.000} s, " +
                          $"C#→C# listener {listenerResumed - restartedAt:0.000} s (seen by the test)");
        Assert.False(listener.HasExited);
        Assert.False(talker.HasExited);
        Assert.False(python.HasExited);
    }

    /// <summary>When the Python node heard "pyload" and "restart" again after <paramref name="after"/> (unix seconds).</summary>
    private static async Task<Dictionary<string, double>> ResumedAsync(ChildProcess python, double after)
    {
        var resumed = new Dictionary<string, double>();
        while (resumed.Count < 2)
        {
            var match = ResumedLine().Match(await python.WaitForLineAsync(l => ResumedLine().Match(l) is { Success: true } m
                && double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) > after, Timeout));
            resumed.TryAdd(match.Groups[1].Value, double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        }
        return resumed;
    }

    private static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
}
