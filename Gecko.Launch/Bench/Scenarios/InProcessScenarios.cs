using Akka.Actor;
using Gecko.Actors.Nodes;
using Gecko.Core.Hub;
using Gecko.Core.Routing;
using Gecko.Launch.Bench.Endpoints;
using Gecko.Launch.Bench.Measurement;
using Gecko.Launch.Bench.Reporting;
using Gecko.Launch.Hosting;

namespace Gecko.Launch.Bench.Scenarios;

/// <summary>
/// The scenarios with in-process nodes: a hub in the bench's own actor system, subscriber nodes (<see cref="GeckoNode"/>)
/// and a publisher thread that publishes as <see cref="Publisher{T}"/> does. The baseline, <c>akka-tell</c>, hands the
/// same messages to the same nodes with a plain Tell, so the ratio is the price of publishing through Gecko (counting,
/// and the router's hop whenever the topic needs it).
/// </summary>
internal sealed class InProcessScenarios : IAsyncDisposable
{
    /// <summary>The name of the plain-Tell baseline in reports.</summary>
    public const string AkkaTell = "akka-tell";

    private const string Gecko = "gecko";
    private readonly BenchOptions _options;
    private readonly ActorSystem _system;
    private readonly GeckoHub _hub;
    private int _nodes;

    private InProcessScenarios(BenchOptions options, ActorSystem system, GeckoHub hub)
    {
        _options = options;
        _system = system;
        _hub = hub;
    }

    /// <summary>Starts the actor system and a hub on OS-chosen ports, without a core file.</summary>
    public static async Task<InProcessScenarios> StartAsync(BenchOptions options)
    {
        // The bench's own output is its report (JSON on stdout): the actor system must not print there.
        var system = GeckoActorSystem.Create(Akka.Configuration.ConfigurationFactory.ParseString("akka { loglevel = OFF, stdout-loglevel = OFF }"));
        try
        {
            // A private hub: no core file and no beacon, so no node on this machine can find it by mistake.
            var defaults = CoreSettings.Default;
            var settings = defaults with
            {
                InAddress = "tcp://127.0.0.1:0", OutAddress = "tcp://127.0.0.1:0", WriteCoreFile = false, Beacon = defaults.Beacon with { Enabled = false },
            };
            var hub = await GeckoHub.StartAsync(system, settings);
            return new InProcessScenarios(options, system, hub);
        }
        catch
        {
            await system.Terminate();
            throw;
        }
    }

    /// <summary>Runs <paramref name="scenario"/>.</summary>
    public async Task<IReadOnlyList<BenchSample>> RunAsync(ScenarioInfo scenario)
    {
        var samples = new List<BenchSample>();
        Action<string, Better, double> For(string subject) => (metric, better, value) => samples.Add(new BenchSample(scenario.Id, metric, better, subject, value));

        switch (scenario.Id)
        {
            case "inproc-1to1":
                await DeliveriesAsync(For(Gecko), 1, viaRouter: true);
                await DeliveriesAsync(For(AkkaTell), 1, viaRouter: false);
                break;
            case "inproc-1to4":
                await DeliveriesAsync(For(Gecko), 4, viaRouter: true);
                await DeliveriesAsync(For(AkkaTell), 4, viaRouter: false);
                break;
            case "inproc-latency":
                await LatencyAsync(For(Gecko), viaRouter: true);
                await LatencyAsync(For(AkkaTell), viaRouter: false);
                break;
            case "ext-to-inproc":
                await ExternalToInProcessAsync(For(Gecko));
                break;
            case "inproc-to-ext":
                InProcessToExternal(For(Gecko));
                break;
            default:
                throw new ArgumentException($"{scenario.Id} is not an in-process scenario", nameof(scenario));
        }
        return samples;
    }

    private string NextTopic(string what) => $"bench.{what}.{Interlocked.Increment(ref _nodes)}";

    private IActorRef[] Deploy(int count, Func<int, Props> props) =>
        Enumerable.Range(0, count).Select(i => _system.ActorOf(props(i), $"bench-node-{Interlocked.Increment(ref _nodes)}")).ToArray();

    private static async Task StopAsync(IEnumerable<IActorRef> nodes)
    {
        foreach (var node in nodes) await node.GracefulStop(TimeSpan.FromSeconds(10));
    }

    private Action<long> Publish(string topic, IActorRef[] nodes, bool viaRouter, bool stamp)
    {
        if (viaRouter)
        {
            // As a node's Publisher<T> publishes (one thread at a time): itself while only in-process nodes subscribe.
            var publisher = GeckoHubExtension.Get(_system).Publisher(topic);
            return sequence => publisher.Publish(new BenchMessage(sequence, stamp ? System.Diagnostics.Stopwatch.GetTimestamp() : 0));
        }
        return sequence =>
        {
            var message = new TopicRouter.TopicMessage(topic, new BenchMessage(sequence, stamp ? System.Diagnostics.Stopwatch.GetTimestamp() : 0));
            for (var i = 0; i < nodes.Length; i++) nodes[i].Tell(message);
        };
    }

    private async Task DeliveriesAsync(Action<string, Better, double> add, int subscribers, bool viaRouter)
    {
        var topic = NextTopic("inproc");
        var counters = Enumerable.Range(0, subscribers).Select(_ => new DeliveryCounter(1)).ToArray();
        var nodes = Deploy(subscribers, i => Props.Create(() => new CountingNode(topic, counters[i], null)));
        try
        {
            using var flood = new DelegateFlood(Publish(topic, nodes, viaRouter, stamp: false), counters, _options.WindowMessages);
            flood.Start(BenchOptions.StartTimeout);
            var (seconds, messages) = flood.Measure(_options.Warmup, _options.Duration, _options.MessageCap);
            var (expected, received, _) = flood.Finish();
            add("deliveries/s", Better.Higher, messages / seconds);
            add("lost", Better.Lower, Math.Max(0, expected - received));
        }
        finally
        {
            await StopAsync(nodes);
        }
    }

    private async Task LatencyAsync(Action<string, Better, double> add, bool viaRouter)
    {
        var topic = NextTopic("latency");
        var counter = new DeliveryCounter(1);
        var latency = new LatencyWindow((int)(_options.Rate * _options.Duration.TotalSeconds * 1.2 + 1000));
        var nodes = Deploy(1, _ => Props.Create(() => new CountingNode(topic, counter, latency)));
        try
        {
            using var flood = new DelegateFlood(Publish(topic, nodes, viaRouter, stamp: true), [counter], _options.WindowMessages, _options.Rate);
            flood.Start(BenchOptions.StartTimeout);
            Thread.Sleep(_options.Warmup);
            latency.Open();
            flood.Measure(TimeSpan.Zero, _options.Duration, null);
            latency.Close();
            var (expected, received, _) = flood.Finish();
            HubScenarios.AddLatency(add, latency.Summarize());
            add("lost", Better.Lower, Math.Max(0, expected - received));
        }
        finally
        {
            await StopAsync(nodes);
        }
    }

    private async Task ExternalToInProcessAsync(Action<string, Better, double> add)
    {
        var topic = NextTopic("ext2in");
        var topicBytes = System.Text.Encoding.UTF8.GetBytes(topic);
        var counter = new DeliveryCounter(1);
        var nodes = Deploy(1, _ => Props.Create(() => new PayloadCountingNode(topic, counter)));
        try
        {
            using var endpoints = EndpointFactory.Create(_options.Endpoints);
            var publisher = endpoints.Publisher(_hub.InAddress);
            var payload = BenchPayload.New(64);
            using var flood = new DelegateFlood(sequence =>
            {
                BenchPayload.Write(payload, sequence, 0, 0);
                publisher.Send(topicBytes, payload);
            }, [counter], _options.WindowMessages);
            flood.Start(BenchOptions.StartTimeout);
            var (seconds, messages) = flood.Measure(_options.Warmup, _options.Duration, _options.MessageCap);
            var (expected, received, _) = flood.Finish();
            add("msgs/s", Better.Higher, messages / seconds);
            add("lost", Better.Lower, Math.Max(0, expected - received));
        }
        finally
        {
            await StopAsync(nodes);
        }
    }

    private void InProcessToExternal(Action<string, Better, double> add)
    {
        var topic = NextTopic("in2ext");
        var counter = new DeliveryCounter(1);
        using var endpoints = EndpointFactory.Create(_options.Endpoints);
        var subscriber = endpoints.Subscriber(_hub.OutAddress, topic);
        var router = _hub.Router;
        using var flood = new DelegateFlood(sequence =>
        {
            // A fresh payload per message, as a node publishing raw bytes would make.
            var payload = new byte[64];
            BenchPayload.Write(payload, sequence, 0, 0);
            router.Tell(new TopicRouter.Publish(topic, payload));
        }, [counter], _options.WindowMessages, receivers:
        [
            stop =>
            {
                while (!stop())
                {
                    if (!subscriber.TryReceive(TimeSpan.FromMilliseconds(100))) continue;
                    counter.Record(BenchPayload.Publisher(subscriber.Header), BenchPayload.Sequence(subscriber.Header));
                }
            },
        ]);
        flood.Start(BenchOptions.StartTimeout);
        var (seconds, messages) = flood.Measure(_options.Warmup, _options.Duration, _options.MessageCap);
        var (expected, received, _) = flood.Finish();
        add("msgs/s", Better.Higher, messages / seconds);
        add("lost", Better.Lower, Math.Max(0, expected - received));
    }

    /// <summary>Stops the hub and the actor system.</summary>
    public async ValueTask DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _system.Terminate();
    }

    /// <summary>The in-process message: a sequence number and a send time.</summary>
    internal sealed record BenchMessage(long Sequence, long Timestamp);

    /// <summary>A node that counts what it receives on one topic (and its latency, when asked).</summary>
    private sealed class CountingNode : GeckoNode
    {
        public CountingNode(string topic, DeliveryCounter counter, LatencyWindow? latency) : base(NodeArguments.Empty) =>
            Subscribe<BenchMessage>(topic, message =>
            {
                if (latency is not null && message.Sequence != BenchPayload.Probe) latency.Record(message.Timestamp);
                counter.Record(0, message.Sequence);
            });
    }

    /// <summary>A node that counts raw payloads from outside.</summary>
    private sealed class PayloadCountingNode : GeckoNode
    {
        public PayloadCountingNode(string topic, DeliveryCounter counter) : base(NodeArguments.Empty) =>
            Subscribe<byte[]>(topic, payload =>
            {
                if (payload.Length >= BenchPayload.MinimumSize) counter.Record(BenchPayload.Publisher(payload), BenchPayload.Sequence(payload));
            });
    }
}
