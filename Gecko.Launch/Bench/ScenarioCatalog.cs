namespace Gecko.Launch.Bench;

/// <summary>Where a scenario runs.</summary>
public enum ScenarioSection
{
    /// <summary>External endpoints around each hub under test, in its own process.</summary>
    Hub,

    /// <summary>Gecko's router in the bench's own process, against Akka.NET's plain Tell.</summary>
    InProcess,

    /// <summary>Two gecko hosts in a cluster (two processes on loopback), against the same traffic through one hub.</summary>
    Cluster,
}

/// <summary>One scenario of <c>gecko bench</c>.</summary>
/// <param name="Id">The name used with <c>--scenario</c> and in JSON.</param>
/// <param name="Section">Where it runs.</param>
/// <param name="Description">What it measures.</param>
public sealed record ScenarioInfo(string Id, ScenarioSection Section, string Description);

/// <summary>Every scenario, in the order they run and are reported.</summary>
public static class ScenarioCatalog
{
    /// <summary>All scenarios.</summary>
    public static readonly IReadOnlyList<ScenarioInfo> All =
    [
        new("throughput-64b", ScenarioSection.Hub, "64 B payloads, 1 publisher -> 1 subscriber"),
        new("throughput-64b-netmq", ScenarioSection.Hub, "the same with NetMQ endpoints instead of libzmq"),
        new("throughput-1k", ScenarioSection.Hub, "1 KiB payloads, 1 -> 1"),
        new("throughput-1m", ScenarioSection.Hub, "1 MiB payloads (camera images), 1 -> 1"),
        new("fan-out", ScenarioSection.Hub, "64 B, 1 publisher -> 10 subscribers (deliveries)"),
        new("fan-in", ScenarioSection.Hub, "64 B, 10 publishers -> 1 subscriber"),
        new("topics-100", ScenarioSection.Hub, "100 topics, 64 B-1 KiB, 1 publisher -> 4 subscribers of 25 topics each"),
        new("rtt-rate", ScenarioSection.Hub, "round trip through the hub twice, 64 B at a fixed moderate rate"),
        new("rtt-saturated", ScenarioSection.Hub, "the same while a 64 B flood saturates the hub"),
        new("hub-cpu-10k", ScenarioSection.Hub, "the hub process's CPU under a fixed 10 k msgs/s of 64 B"),
        new("hub-rss", ScenarioSection.Hub, "the hub process's resident memory: idle, after the run, peak"),
        new("cold-start", ScenarioSection.Hub, "a fresh hub process (gecko core) until the first message is routed"),
        new("inproc-1to1", ScenarioSection.InProcess, "in-process publisher -> router -> 1 subscriber node"),
        new("inproc-1to4", ScenarioSection.InProcess, "in-process publisher -> router -> 4 subscriber nodes (deliveries)"),
        new("inproc-latency", ScenarioSection.InProcess, "in-process publish -> node handler latency at a fixed moderate rate"),
        new("ext-to-inproc", ScenarioSection.InProcess, "external publisher -> hub -> in-process subscriber node, 64 B"),
        new("inproc-to-ext", ScenarioSection.InProcess, "in-process publisher -> hub -> external subscriber, 64 B"),
        new("cluster-64b", ScenarioSection.Cluster, "64 B, publisher on host A -> subscriber on host B (two gecko core --cluster processes)"),
        new("cluster-1m", ScenarioSection.Cluster, "1 MiB payloads, host A -> host B"),
        new("cluster-rtt", ScenarioSection.Cluster, "round trip A -> B -> A, 64 B at a fixed moderate rate"),
    ];

    /// <summary>
    /// The scenarios whose id contains one of <paramref name="filters"/> (all when there are none); the filters that
    /// matched nothing come back in <paramref name="unmatched"/>.
    /// </summary>
    public static IReadOnlyList<ScenarioInfo> Select(IReadOnlyCollection<string> filters, out IReadOnlyList<string> unmatched)
    {
        var tokens = filters.SelectMany(f => f.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        unmatched = tokens.Where(t => !All.Any(s => s.Id.Contains(t, StringComparison.OrdinalIgnoreCase))).ToArray();
        if (tokens.Length == 0) return All;
        return All.Where(s => tokens.Any(t => s.Id.Contains(t, StringComparison.OrdinalIgnoreCase))).ToArray();
    }
}
