using System.Diagnostics;
using Gecko.Launch.Bench.Endpoints;
using Gecko.Launch.Bench.Hubs;
using Gecko.Launch.Bench.Measurement;
using Gecko.Launch.Bench.Reporting;

namespace Gecko.Launch.Bench.Scenarios;

/// <summary>The scenarios run against each hub process with external endpoints in the bench's process.</summary>
internal sealed class HubScenarios(BenchOptions options)
{
    private const int Mebibyte = 1 << 20;

    /// <summary>Runs <paramref name="scenario"/> against <paramref name="hub"/>.</summary>
    public IReadOnlyList<BenchSample> Run(ScenarioInfo scenario, HubProcess hub)
    {
        var name = HubNames.Name(hub.Kind);
        var samples = new List<BenchSample>();
        void Add(string metric, Better better, double value) => samples.Add(new BenchSample(scenario.Id, metric, better, name, value));

        switch (scenario.Id)
        {
            case "throughput-64b":
                AddFlood(Add, Flood(hub, OneToOne("bench.t64", 64)), hub, bytes: false);
                break;
            case "throughput-64b-netmq":
                AddFlood(Add, Flood(hub, OneToOne("bench.t64n", 64), EndpointKind.NetMq), hub, bytes: false);
                break;
            case "throughput-1k":
                AddFlood(Add, Flood(hub, OneToOne("bench.t1k", 1024)), hub, bytes: false);
                break;
            case "throughput-1m":
                AddFlood(Add, Flood(hub, OneToOne("bench.t1m", Mebibyte)), hub, bytes: true);
                break;
            case "fan-out":
                AddFlood(Add, Flood(hub, new LoadSpec(1, [new StreamSpec(0, ["bench.fanout"], [64], Enumerable.Range(0, 10).ToArray())],
                    Enumerable.Range(0, 10).Select(_ => new[] { "bench.fanout" }).ToArray())), hub, bytes: false, metric: "deliveries/s");
                break;
            case "fan-in":
                AddFlood(Add, Flood(hub, new LoadSpec(10, Enumerable.Range(0, 10).Select(p => new StreamSpec(p, ["bench.fanin"], [64], [0])).ToArray(),
                    [["bench.fanin"]])), hub, bytes: false);
                break;
            case "topics-100":
                AddFlood(Add, Flood(hub, HundredTopics()), hub, bytes: false);
                break;
            case "rtt-rate":
                AddRoundTrip(Add, hub);
                break;
            case "rtt-saturated":
                AddSaturatedRoundTrip(Add, hub);
                break;
            case "hub-cpu-10k":
                AddCpuAtFixedRate(Add, hub, 10_000);
                break;
            default:
                throw new ArgumentException($"{scenario.Id} is not a hub scenario", nameof(scenario));
        }
        return samples;
    }

    private static LoadSpec OneToOne(string topic, int size) => new(1, [new StreamSpec(0, [topic], [size], [0])], [[topic]]);

    /// <summary>100 topics of fixed-width names (so no name is a prefix of another), 64 B to 1 KiB, 25 per subscriber.</summary>
    private static LoadSpec HundredTopics()
    {
        var streams = new List<StreamSpec>();
        var prefixes = new List<string[]>();
        for (var group = 0; group < 4; group++)
        {
            var topics = Enumerable.Range(0, 25).Select(i => $"bench.topics.{group * 25 + i:000}").ToArray();
            var sizes = topics.Select((_, i) => 64 + (group * 25 + i) * 37 % 16 * 64).ToArray();
            streams.Add(new StreamSpec(0, topics, sizes, [group]));
            prefixes.Add(topics);
        }
        return new LoadSpec(1, streams, prefixes);
    }

    private sealed record FloodOutcome(FloodResult Result, double HubCpuPercent, double HubCpuMicrosPerMessage);

    private FloodOutcome Flood(HubProcess hub, LoadSpec spec, EndpointKind? endpoints = null)
    {
        using var factory = EndpointFactory.Create(endpoints ?? options.Endpoints);
        using var flood = new Flood(spec, factory, hub.InAddress, hub.OutAddress, options.WindowBytes, options.WindowMessages);
        flood.Start(BenchOptions.StartTimeout);
        Thread.Sleep(options.Warmup);
        var cpu = hub.Probe.CpuTime();
        var started = Stopwatch.GetTimestamp();
        var window = flood.Measure(TimeSpan.Zero, options.Duration, options.MessageCap);
        var used = hub.Probe.CpuTime() - cpu;
        var cpuPercent = CpuPercent(used, Stopwatch.GetElapsedTime(started));
        // CPU time per message is the hub's cost, and far less sensitive than a rate to what else runs on the machine.
        var perMessage = window.Messages > 0 ? used.TotalMicroseconds / window.Messages : double.NaN;
        return new FloodOutcome(flood.Finish(window), cpuPercent, perMessage);
    }

    private static void AddFlood(Action<string, Better, double> add, FloodOutcome outcome, HubProcess hub, bool bytes, string metric = "msgs/s")
    {
        var result = outcome.Result;
        if (bytes) add("MB/s", Better.Higher, result.MegabytesPerSecond);
        add(metric, Better.Higher, result.MessagesPerSecond);
        add("lost", Better.Lower, result.Lost);
        if (result.OutOfOrder > 0) add("out of order", Better.Lower, result.OutOfOrder);
        add("hub CPU %", Better.Lower, outcome.HubCpuPercent);
        add("hub CPU µs/msg", Better.Lower, outcome.HubCpuMicrosPerMessage);
    }

    private RoundTrip RoundTrip(HubProcess hub, string prefix, IEndpointFactory factory) =>
        new(factory, hub.InAddress, hub.OutAddress, prefix, options.Rate, options.Duration);

    private void AddRoundTrip(Action<string, Better, double> add, HubProcess hub)
    {
        using var factory = EndpointFactory.Create(options.Endpoints);
        var result = Measure(RoundTrip(hub, "bench.rtt", factory));
        AddLatency(add, result.Latency);
        add("lost", Better.Lower, result.Lost);
    }

    private RoundTripResult Measure(RoundTrip roundTrip)
    {
        using (roundTrip)
        {
            roundTrip.Start(BenchOptions.StartTimeout);
            return roundTrip.Measure(options.Warmup, options.Duration);
        }
    }

    internal static void AddLatency(Action<string, Better, double> add, LatencySummary? latency)
    {
        if (latency is null) throw new BenchException("no round trip was measured");
        add("p50 µs", Better.Lower, latency.P50);
        add("p90 µs", Better.Lower, latency.P90);
        add("p99 µs", Better.Lower, latency.P99);
        add("max µs", Better.Lower, latency.Max);
    }

    private void AddSaturatedRoundTrip(Action<string, Better, double> add, HubProcess hub)
    {
        using var floodEndpoints = EndpointFactory.Create(options.Endpoints);
        using var pingEndpoints = EndpointFactory.Create(options.Endpoints);
        using var flood = new Flood(OneToOne("bench.rtts.flood", 64), floodEndpoints, hub.InAddress, hub.OutAddress, options.WindowBytes, options.WindowMessages);
        flood.Start(BenchOptions.StartTimeout);
        var roundTrip = RoundTrip(hub, "bench.rtts", pingEndpoints);
        var floodWindowStart = Stopwatch.GetTimestamp();
        var floodReceived = flood.Received;
        var result = Measure(roundTrip);
        var floodRate = (flood.Received - floodReceived) / Stopwatch.GetElapsedTime(floodWindowStart).TotalSeconds;
        var floodResult = flood.Finish((1, 0, 0));
        AddLatency(add, result.Latency);
        add("lost", Better.Lower, result.Lost + floodResult.Lost);
        add("flood msgs/s", Better.Higher, floodRate);
    }

    private void AddCpuAtFixedRate(Action<string, Better, double> add, HubProcess hub, double rate)
    {
        using var factory = EndpointFactory.Create(options.Endpoints);
        using var flood = new Flood(OneToOne("bench.cpu", 64) with { RatePerPublisher = rate }, factory, hub.InAddress, hub.OutAddress,
            options.WindowBytes, options.WindowMessages);
        flood.Start(BenchOptions.StartTimeout);
        Thread.Sleep(options.Warmup);
        var cpu = hub.Probe.CpuTime();
        var started = Stopwatch.GetTimestamp();
        // CPU time is read in 10 ms ticks: measure for at least 2 s so one tick is at most half a percent.
        var window = flood.Measure(TimeSpan.Zero, options.Duration < TimeSpan.FromSeconds(2) ? TimeSpan.FromSeconds(2) : options.Duration, null);
        var percent = CpuPercent(hub.Probe.CpuTime() - cpu, Stopwatch.GetElapsedTime(started));
        var result = flood.Finish(window);
        add("hub CPU %", Better.Lower, percent);
        add("msgs/s", Better.Higher, result.MessagesPerSecond);
        add("lost", Better.Lower, result.Lost);
    }

    private static double CpuPercent(TimeSpan cpu, TimeSpan wall) => wall > TimeSpan.Zero ? 100 * cpu.TotalSeconds / wall.TotalSeconds : 0;
}
