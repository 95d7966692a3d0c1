using System.Globalization;
using System.Text.RegularExpressions;
using Gecko.Core.Discovery;
using Gecko.Core.Introspection;
using Gecko.Testing;

namespace Gecko.Launch.Tests.Reliability;

/// <summary>
/// A hub as a robot runs it: <c>gecko launch</c> of a launch file with no nodes, its settings given with <c>--set</c>,
/// in a child process whose memory the test reads from /proc. OS-chosen loopback ports, a core-file folder and key of
/// its own, no beacon, plain reports every second. Tools' view of it goes through <see cref="Stats"/> (gecko.stats).
/// </summary>
internal sealed partial class LaunchedHub : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TempFolder _folder;
    private HubConnection? _tool;

    private LaunchedHub(TempFolder folder, ChildProcess process, string inAddress, string outAddress)
    {
        _folder = folder;
        Process = process;
        InAddress = inAddress;
        OutAddress = outAddress;
    }

    public ChildProcess Process { get; }

    public string InAddress { get; }

    public string OutAddress { get; }

    /// <summary>Starts the hub with <paramref name="settings"/> (keys under gecko.core, e.g. <c>max-payload-size=256 B</c>).</summary>
    public static Task<LaunchedHub> StartAsync(params string[] settings) =>
        LaunchAsync("# A hub alone: the test's own sockets are its nodes.\ngecko { }\n", settings);

    /// <summary>Launches <paramref name="launchFile"/> (HOCON) with <paramref name="settings"/> under gecko.core.</summary>
    public static async Task<LaunchedHub> LaunchAsync(string launchFile, params string[] settings)
    {
        var folder = new TempFolder("gecko-reliability-");
        var file = Path.Combine(folder.Path, "robot.conf");
        await File.WriteAllTextAsync(file, launchFile);
        List<string> args =
        [
            "launch", file, "--plain", "--in", "tcp://127.0.0.1:0", "--out", "tcp://127.0.0.1:0",
            "--set", "gecko.core.stats-interval=1s",
            "--set", $"gecko.core.core-file-directory={folder.Path}",
            "--set", $"gecko.core.key=test-{Guid.NewGuid():N}",
            "--set", "gecko.core.beacon.enabled=off",
        ];
        foreach (var setting in settings) args.AddRange(["--set", "gecko.core." + setting]);
        var process = ChildProcess.Gecko(args, new Dictionary<string, string> { ["TMPDIR"] = folder.Path });
        try
        {
            var header = HeaderAddresses().Match(await process.WaitForLineAsync(l => HeaderAddresses().IsMatch(l), Timeout));
            return new LaunchedHub(folder, process, header.Groups[1].Value, header.Groups[2].Value);
        }
        catch
        {
            process.Dispose();
            folder.Dispose();
            throw;
        }
    }

    [GeneratedRegex(@"^== .* in (tcp://\S+)  out (tcp://\S+)")]
    private static partial Regex HeaderAddresses();

    /// <summary>A fresh report from the hub, asked for on gecko.query as <c>gecko topic</c> does.</summary>
    public Core.Routing.HubStats Stats()
    {
        _tool ??= HubConnection.Open(new HubLocation(InAddress, OutAddress, HubSource.Explicit));
        return (_tool.QueryStats(Timeout) ?? throw new TimeoutException($"The hub did not answer a query within {Timeout}.\n{Process.Transcript}")).Stats;
    }

    /// <summary>Polls the hub's report until <paramref name="condition"/> holds.</summary>
    public async Task<Core.Routing.HubStats> StatsUntilAsync(Func<Core.Routing.HubStats, bool> condition, string what)
    {
        Core.Routing.HubStats stats = null!;
        await Eventually.UntilAsync(() => condition(stats = Stats()), Timeout, what, () => Process.Transcript);
        return stats;
    }

    /// <summary>The hub process's resident memory now and its peak so far (VmRSS, VmHWM), in bytes.</summary>
    public (long Resident, long Peak) Memory()
    {
        long resident = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{Process.Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) resident = Kilobytes(line) * 1024;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kilobytes(line) * 1024;
        }
        return (resident, peak);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <summary>Stops the hub as Ctrl-C does and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        _tool?.Dispose();
        _tool = null;
        Process.Signal(2);
        return await Process.WaitForExitAsync(Timeout);
    }

    public void Dispose()
    {
        _tool?.Dispose();
        Process.Dispose();
        _folder.Dispose();
    }
}
