using Gecko.Launch.Bench.Endpoints;
using Gecko.Launch.Bench.Hubs;
using Gecko.Launch.Bench.Measurement;
using Gecko.Launch.Bench.Reporting;

namespace Gecko.Launch.Bench.Scenarios;

/// <summary>
/// Traffic between two cluster hosts (<see cref="ClusterHosts"/>): publishers on host A's hub, subscribers on host B's,
/// so every message crosses Akka.Remote once (a round trip twice). The baseline, <c>one-hub</c>, is the same traffic
/// through host A's hub alone: the ratio is the price of the crossing.
/// </summary>
internal sealed class ClusterScenarios(BenchOptions options)
{
    /// <summary>The one-hub baseline's name in reports.</summary>
    public const string OneHub = "one-hub";

    private const string Gecko = "gecko";
    private const int Mebibyte = 1 << 20;

    /// <summary>Runs <paramref name="scenario"/> across the hosts and through host A alone.</summary>
    public IReadOnlyList<BenchSample> Run(ScenarioInfo scenario, ClusterHosts hosts)
    {
        var samples = new List<BenchSample>();
        Action<string, Better, double> For(string subject) => (metric, better, value) => samples.Add(new BenchSample(scenario.Id, metric, better, subject, value));
        var a = hosts.A;
        var b = hosts.B;
        switch (scenario.Id)
        {
            case "cluster-64b":
                AddFlood(For(Gecko), Flood(a.InAddress, b.OutAddress, "bench.c64", 64), bytes: false);
                AddFlood(For(OneHub), Flood(a.InAddress, a.OutAddress, "bench.c64.local", 64), bytes: false);
                break;
            case "cluster-1m":
                AddFlood(For(Gecko), Flood(a.InAddress, b.OutAddress, "bench.c1m", Mebibyte), bytes: true);
                AddFlood(For(OneHub), Flood(a.InAddress, a.OutAddress, "bench.c1m.local", Mebibyte), bytes: true);
                break;
            case "cluster-rtt":
                AddRoundTrip(For(Gecko), a, b, "bench.crtt");
                AddRoundTrip(For(OneHub), a, a, "bench.crtt.local");
                break;
            default:
                throw new ArgumentException($"{scenario.Id} is not a cluster scenario", nameof(scenario));
        }
        return samples;
    }

    private FloodResult Flood(string inAddress, string outAddress, string topic, int size)
    {
        using var factory = EndpointFactory.Create(options.Endpoints);
        var spec = new LoadSpec(1, [new StreamSpec(0, [topic], [size], [0])], [[topic]]);
        // Below the cluster's send window (gecko.cluster.send-window, -bytes): a rate the hosts sustain, not drops at the window.
        using var flood = new Flood(spec, factory, inAddress, outAddress, Math.Min(options.WindowBytes, 32L << 20), Math.Min(options.WindowMessages, 2000));
        flood.Start(BenchOptions.StartTimeout);
        var window = flood.Measure(options.Warmup, options.Duration, options.MessageCap);
        return flood.Finish(window);
    }

    private static void AddFlood(Action<string, Better, double> add, FloodResult result, bool bytes)
    {
        if (bytes) add("MB/s", Better.Higher, result.MegabytesPerSecond);
        add("msgs/s", Better.Higher, result.MessagesPerSecond);
        add("lost", Better.Lower, result.Lost);
        if (result.OutOfOrder > 0) add("out of order", Better.Lower, result.OutOfOrder);
    }

    private void AddRoundTrip(Action<string, Better, double> add, ClusterHosts.Host pinger, ClusterHosts.Host echo, string prefix)
    {
        using var factory = EndpointFactory.Create(options.Endpoints);
        using var roundTrip = new RoundTrip(factory, pinger.InAddress, pinger.OutAddress, prefix, options.Rate, options.Duration, echo.InAddress, echo.OutAddress);
        roundTrip.Start(BenchOptions.StartTimeout);
        var result = roundTrip.Measure(options.Warmup, options.Duration);
        HubScenarios.AddLatency(add, result.Latency);
        add("lost", Better.Lower, result.Lost);
    }
}
