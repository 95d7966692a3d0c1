using Gecko.Launch.Bench.Endpoints;
using Gecko.Launch.Bench.Hubs;

namespace Gecko.Launch.Bench;

/// <summary>What <c>gecko bench</c> was asked to do.</summary>
/// <param name="Scenarios">The scenarios to run, in catalog order.</param>
/// <param name="Hubs">The hubs the hub scenarios compare.</param>
/// <param name="Duration">How long each measurement lasts.</param>
/// <param name="Warmup">Traffic before each measurement that is not counted.</param>
/// <param name="MessageCap">Ends a throughput measurement early once this many messages arrived.</param>
/// <param name="Runs">Runs of everything; the report shows the median of each number.</param>
/// <param name="Endpoints">The load generators' ZeroMQ implementation.</param>
/// <param name="Rate">Pings per second of the round-trip scenarios.</param>
/// <param name="WindowMessages">Messages a stream keeps in flight at most.</param>
/// <param name="WindowBytes">Payload bytes a stream keeps in flight at most.</param>
public sealed record BenchOptions(
    IReadOnlyList<ScenarioInfo> Scenarios,
    IReadOnlyList<HubKind> Hubs,
    TimeSpan Duration,
    TimeSpan Warmup,
    long? MessageCap,
    int Runs,
    EndpointKind Endpoints,
    double Rate,
    int WindowMessages,
    long WindowBytes)
{
    /// <summary>How long a hub or a handshake may take before the bench gives up on it.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
}
