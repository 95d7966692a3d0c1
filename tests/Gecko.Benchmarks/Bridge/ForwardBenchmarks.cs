using System.Text;
using Akka.Actor;
using BenchmarkDotNet.Attributes;
using Gecko.Core.Hub;
using Gecko.Launch.Bench.Endpoints;

namespace Gecko.Benchmarks.Bridge;

/// <summary>
/// The bridge's forward path, external → hub → external over loopback tcp, with libzmq endpoints: they allocate
/// nothing managed, so [MemoryDiagnoser]'s allocated bytes per operation (one routed message) are the hub's own.
/// Time per operation is a latency-bound figure (a batch in flight at a time); <c>gecko bench</c> measures throughput.
/// </summary>
[MemoryDiagnoser]
public class ForwardBenchmarks
{
    private const int Batch = 1000;
    private static readonly byte[] Topic = Encoding.UTF8.GetBytes("bench.forward");
    private ActorSystem _system = null!;
    private GeckoHub _hub = null!;
    private IEndpointFactory _endpoints = null!;
    private IBenchPublisher _publisher = null!;
    private IBenchSubscriber _subscriber = null!;
    private byte[] _payload = [];

    [Params(64, 1024)]
    public int PayloadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (!EndpointFactory.IsAvailable(EndpointKind.LibZmq))
            throw new InvalidOperationException("ForwardBenchmarks need libzmq.so.5: apt-get install libzmq5 (python3-zmq brings it).");
        _system = ActorSystem.Create("forward-bench", "akka.loglevel = WARNING");
        var defaults = CoreSettings.Default;
        var settings = defaults with
        {
            InAddress = "tcp://127.0.0.1:0", OutAddress = "tcp://127.0.0.1:0", WriteCoreFile = false, Beacon = defaults.Beacon with { Enabled = false },
        };
        _hub = GeckoHub.StartAsync(_system, settings).GetAwaiter().GetResult();
        _endpoints = EndpointFactory.Create(EndpointKind.LibZmq);
        _subscriber = _endpoints.Subscriber(_hub.OutAddress, "bench.forward");
        _publisher = _endpoints.Publisher(_hub.InAddress);
        _payload = BenchPayload.New(PayloadSize);
        // Handshake: until the subscription has reached the hub and a message comes back.
        BenchPayload.Write(_payload, BenchPayload.Probe, 0, 0);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("no message came through the hub within 30 s");
            _publisher.Send(Topic, _payload);
        }
        while (!_subscriber.TryReceive(TimeSpan.FromMilliseconds(10)));
        while (_subscriber.TryReceive(TimeSpan.FromMilliseconds(100))) { }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _endpoints.Dispose();
        _hub.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
        _system.Terminate().Wait(TimeSpan.FromSeconds(10));
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public void ExternalToExternal()
    {
        for (var i = 0; i < Batch; i++)
        {
            BenchPayload.Write(_payload, i, 0, 0);
            _publisher.Send(Topic, _payload);
        }
        for (var i = 0; i < Batch; i++)
            if (!_subscriber.TryReceive(TimeSpan.FromSeconds(10))) throw new TimeoutException($"message {i} of {Batch} did not come through the hub");
    }
}
