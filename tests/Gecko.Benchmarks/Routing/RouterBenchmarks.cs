using Akka.Actor;
using BenchmarkDotNet.Attributes;
using Gecko.Core.Hub;
using Gecko.Core.Routing;

namespace Gecko.Benchmarks.Routing;

/// <summary>
/// In-process publish → router → subscriber actors, and a <see cref="TopicPublisher"/> delivering itself (as a node's
/// Publisher does), against a plain Tell to the same subscribers. One operation is one published message; the
/// subscribers signal when the whole batch has arrived.
/// </summary>
[MemoryDiagnoser]
public class RouterBenchmarks
{
    private const int Batch = 10_000;
    private ActorSystem _system = null!;
    private IActorRef _router = null!;
    private TopicPublisher _publisher = null!;
    private IActorRef[] _subscribers = [];
    private Counter _counter = null!;
    private readonly object _message = new Ping();

    [Params(1, 4)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("router-bench", "akka.loglevel = WARNING");
        var settings = CoreSettings.Default;
        var registry = new TopicRegistry(settings.MaxTopics);
        _router = _system.ActorOf(TopicRouter.Props(settings, registry, new HubCounters()), "router");
        _publisher = new TopicPublisher("bench", _router, registry);
        _counter = new Counter();
        _subscribers = Enumerable.Range(0, Subscribers).Select(i => _system.ActorOf(Props.Create(() => new CountingActor(_counter)), $"sub-{i}")).ToArray();
        foreach (var subscriber in _subscribers)
            _router.Ask<TopicRouter.SubscribeAck>(new TopicRouter.Subscribe("bench", subscriber), TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Benchmark(OperationsPerInvoke = Batch)]
    public void PublishThroughRouter()
    {
        _counter.Expect(Batch * Subscribers);
        for (var i = 0; i < Batch; i++) _router.Tell(new TopicRouter.Publish("bench", _message));
        _counter.Wait();
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public void PublishDirectly()
    {
        _counter.Expect(Batch * Subscribers);
        for (var i = 0; i < Batch; i++) _publisher.Publish(_message);
        _counter.Wait();
    }

    [Benchmark(OperationsPerInvoke = Batch, Baseline = true)]
    public void TellDirectly()
    {
        _counter.Expect(Batch * Subscribers);
        var message = new TopicRouter.TopicMessage("bench", _message);
        for (var i = 0; i < Batch; i++)
            foreach (var subscriber in _subscribers) subscriber.Tell(message);
        _counter.Wait();
    }

    private sealed class Ping;

    private sealed class Counter
    {
        private readonly ManualResetEventSlim _done = new();
        private int _remaining;

        public void Expect(int count)
        {
            _done.Reset();
            Volatile.Write(ref _remaining, count);
        }

        public void Arrived()
        {
            if (Interlocked.Decrement(ref _remaining) == 0) _done.Set();
        }

        public void Wait()
        {
            if (!_done.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException($"{Volatile.Read(ref _remaining)} messages did not arrive");
        }
    }

    private sealed class CountingActor : ReceiveActor
    {
        public CountingActor(Counter counter) => Receive<TopicRouter.TopicMessage>(_ => counter.Arrived());
    }
}
