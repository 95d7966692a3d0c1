using System.Text.RegularExpressions;
using Gecko.Testing;

namespace Gecko.Launch.Tests.Cluster;

/// <summary>
/// A real <c>gecko core</c> or <c>gecko launch</c> child process in a cluster on 127.0.0.1, with OS-chosen ports for
/// its hub and its cluster endpoint (the addresses are read from its output), a TMPDIR and a hub key of its own.
/// </summary>
internal sealed partial class ClusterHostProcess : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Settings for tests that kill hosts: a dead host is suspected within a few seconds and removed soon after.</summary>
    public const string QuickFailureDetection = """
        gecko.cluster {
          failure-detection { heartbeat-interval = 500ms, acceptable-heartbeat-pause = 3s }
          split-brain-resolver.stable-after = 2s
          interest-interval = 500ms
        }
        """;

    private ClusterHostProcess(ChildProcess process, string name) => (Process, Name) = (process, name);

    public ChildProcess Process { get; }

    public string Name { get; }

    public int Pid => Process.Pid;

    public string InAddress { get; private set; } = "";

    public string OutAddress { get; private set; } = "";

    /// <summary>The cluster address, <c>akka.tcp://gecko@127.0.0.1:PORT</c> (<c>akka.ssl.tcp://</c> with TLS).</summary>
    public string Address { get; private set; } = "";

    /// <summary>The seed form of <see cref="Address"/>: <c>127.0.0.1:PORT</c>.</summary>
    public string HostPort => Address[(Address.IndexOf('@') + 1)..];

    /// <summary>Starts <c>gecko core</c> joining <paramref name="seed"/> (null: it starts the cluster).</summary>
    public static async Task<ClusterHostProcess> CoreAsync(string name, TempFolder temp, ClusterHostProcess? seed, params string[] extra)
    {
        var process = ChildProcess.Gecko(
            ["core", "--in", "tcp://127.0.0.1:0", "--out", "tcp://127.0.0.1:0", "--key", $"test-{Guid.NewGuid():N}", "--interval", "0.5",
             "--cluster-port", "0", .. seed is null ? Array.Empty<string>() : ["--cluster-seed", seed.HostPort], .. extra],
            Environment(temp));
        var host = new ClusterHostProcess(process, name);
        try
        {
            var start = StartLine().Match(await process.WaitForLineAsync(l => l.StartsWith("GeckoCore started:", StringComparison.Ordinal), Timeout));
            host.InAddress = start.Groups["in"].Value;
            host.OutAddress = start.Groups["out"].Value;
            host.Address = ClusterLine().Match(await process.WaitForLineAsync(l => ClusterLine().IsMatch(l), Timeout)).Groups["address"].Value;
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Starts <c>gecko launch</c> of <paramref name="launchFile"/> joining <paramref name="seed"/> (null: it starts the cluster).</summary>
    public static async Task<ClusterHostProcess> LaunchAsync(string name, TempFolder temp, string launchFile, ClusterHostProcess? seed, params string[] extra)
    {
        var process = ChildProcess.Gecko(
            ["launch", launchFile, "--plain", "--run-dir", temp.Combine($"run-{name}-{Guid.NewGuid():N}"), "--in", "tcp://127.0.0.1:0", "--out", "tcp://127.0.0.1:0",
             "--set", $"gecko.core.key=test-{Guid.NewGuid():N}", "--set", "gecko.core.stats-interval=500ms",
             "--cluster-port", "0", .. seed is null ? Array.Empty<string>() : ["--cluster-seed", seed.HostPort], .. extra],
            Environment(temp));
        var host = new ClusterHostProcess(process, name);
        try
        {
            host.Address = LaunchClusterLine().Match(await process.WaitForLineAsync(l => LaunchClusterLine().IsMatch(l), Timeout)).Groups["address"].Value;
            var header = ReportHeader().Match(await process.WaitForLineAsync(l => ReportHeader().IsMatch(l), Timeout));
            host.InAddress = header.Groups["in"].Value;
            host.OutAddress = header.Groups["out"].Value;
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Waits until this host has said that each of <paramref name="others"/> is up (in any order).</summary>
    public async Task SeesUpAsync(params ClusterHostProcess[] others)
    {
        foreach (var other in others) await Process.WaitForLineSeenOrNewAsync(l => IsEvent(l, other, "is up"), Timeout);
    }

    /// <summary>Waits for a new line saying <paramref name="what"/> of <paramref name="other"/> (e.g. "is unreachable", "was removed").</summary>
    public Task<string> SaysAsync(ClusterHostProcess other, string what) => Process.WaitForLineAsync(l => IsEvent(l, other, what), Timeout);

    private static bool IsEvent(string line, ClusterHostProcess other, string what) =>
        line.StartsWith("gecko: cluster: ", StringComparison.Ordinal)
        && (line.Contains(other.Address + " ", StringComparison.Ordinal))
        && line.Contains(what, StringComparison.Ordinal);

    /// <summary>
    /// Waits for a whole report whose lines satisfy <paramref name="condition"/> and returns them (a report starts with
    /// its <c>==</c> header and ends where the next begins).
    /// </summary>
    public async Task<IReadOnlyList<string>> ReportAsync(Func<IReadOnlyList<string>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        var report = new List<string>();
        var last = new List<string>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"{Name}: no report {what} within {Timeout}. Last report:\n{string.Join('\n', last)}");
            var line = await Process.WaitForLineAsync(_ => true, left);
            if (!line.StartsWith("== ", StringComparison.Ordinal))
            {
                report.Add(line);
                continue;
            }
            if (report.Count > 0 && report[0].StartsWith("== ", StringComparison.Ordinal))
            {
                if (condition(report)) return report;
                last = report;
            }
            report = [line];
        }
    }

    /// <summary>The counts of a topic line with cluster traffic: <c>   NAME ..... 1.0 msgs/s  0.1 kB/s  cluster in 0.0/s (IN) out 2.0/s (OUT)</c>.</summary>
    public static (long In, long Out)? ClusterCounts(IReadOnlyList<string> report, string topic)
    {
        foreach (var line in report)
        {
            var match = TopicLine().Match(line);
            if (match.Success && match.Groups["topic"].Value == topic)
                return (long.Parse(match.Groups["in"].Value), long.Parse(match.Groups["out"].Value));
        }
        return null;
    }

    /// <summary>What a report's member line says this host sent to <paramref name="other"/>.</summary>
    public static long? SentTo(IReadOnlyList<string> report, ClusterHostProcess other)
    {
        foreach (var line in report)
        {
            var match = MemberLine().Match(line);
            if (match.Success && match.Groups["address"].Value == other.Address) return long.Parse(match.Groups["sent"].Value);
        }
        return null;
    }

    /// <summary>What a report's member line says of <paramref name="other"/>: sent to it, dropped for it, received from it.</summary>
    public static (long Sent, long Dropped, long Received)? MemberCounts(IReadOnlyList<string> report, ClusterHostProcess other)
    {
        foreach (var line in report)
        {
            var match = MemberCountsLine().Match(line);
            if (match.Success && match.Groups["address"].Value == other.Address)
                return (long.Parse(match.Groups["sent"].Value), long.Parse(match.Groups["dropped"].Value), long.Parse(match.Groups["received"].Value));
        }
        return null;
    }

    public void Kill() => Process.Signal(9);

    public void Dispose() => Process.Dispose();

    private static Dictionary<string, string> Environment(TempFolder temp) => new() { ["TMPDIR"] = temp.Path };

    [GeneratedRegex(@"^GeckoCore started: in (?<in>\S+)\s+out (?<out>\S+)\s")]
    private static partial Regex StartLine();

    [GeneratedRegex(@"^cluster: this host is (?<address>akka(?:\.ssl)?\.tcp://gecko@[0-9.]+:\d+)")]
    private static partial Regex ClusterLine();

    [GeneratedRegex(@"^gecko: cluster: this host is (?<address>akka(?:\.ssl)?\.tcp://gecko@[0-9.]+:\d+);")]
    private static partial Regex LaunchClusterLine();

    [GeneratedRegex(@"^== .*\bin (?<in>tcp://\S+)\s+out (?<out>tcp://\S+)")]
    private static partial Regex ReportHeader();

    [GeneratedRegex(@"^\s+(?<topic>\S+) \.+\s+[0-9.]+ msgs/s\s+[0-9.]+ kB/s(?:\s+dropped \d+)?\s+cluster in [0-9.]+/s \((?<in>\d+)\) out [0-9.]+/s \((?<out>\d+)\)$")]
    private static partial Regex TopicLine();

    [GeneratedRegex(@"^\s+\S+\s+(?<address>akka(?:\.ssl)?\.tcp://gecko@[0-9.]+:\d+)\b.*\bsent (?<sent>\d+) \(")]
    private static partial Regex MemberLine();

    [GeneratedRegex(@"^\s+\S+\s+(?<address>akka(?:\.ssl)?\.tcp://gecko@[0-9.]+:\d+)\b.*\bsent (?<sent>\d+) \([0-9.]+ kB\) dropped (?<dropped>\d+)\s+received (?<received>\d+)")]
    private static partial Regex MemberCountsLine();
}
