using Akka.Actor;
using Akka.Event;
using Gecko.Core.Hub;
using Gecko.Core.Monitoring;
using Gecko.Core.Wire;
using static Gecko.Core.Routing.TopicRouter;

namespace Gecko.Core.Routing.Internal;

internal sealed class TopicRouterActor : ReceiveActor, IWithTimers
{
    private sealed class Rate
    {
        public long Messages;
        public long Bytes;
        public double MessagesPerSecond;
        public double BytesPerSecond;
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
        private Tick() { }
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CoreSettings _settings;
    private readonly TopicRegistry _registry;
    private readonly HubCounters _hubCounters;
    private readonly IMessageEncoder _encoder;
    private readonly Dictionary<string, List<IActorRef>> _subscribers = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, int> _subscriptionsPerActor = new();
    private readonly List<byte[]> _externalPrefixes = [];
    private readonly Dictionary<TopicCounters, int> _interestVersionSeen = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<TopicCounters, Rate> _rates = new(ReferenceEqualityComparer.Instance);
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private IActorRef _monitor = ActorRefs.Nobody;
    private MonitorReport _usage = MonitorReport.Empty;
    private long _lastTickTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
    private double _totalMessagesPerSecond;
    private int _interestVersion = 1;
    private IOutboundSink? _outbound;
    private DateTime _lastEncodeWarning = DateTime.MinValue;

    public TopicRouterActor(CoreSettings settings, TopicRegistry registry, HubCounters hubCounters, IMessageEncoder encoder)
    {
        _settings = settings;
        _registry = registry;
        _hubCounters = hubCounters;
        _encoder = encoder;

        Receive<Publish>(HandlePublish);
        Receive<ExternalMessage>(HandleExternal);
        Receive<Subscribe>(HandleSubscribe);
        Receive<Unsubscribe>(HandleUnsubscribe);
        Receive<Terminated>(t => RemoveSubscriber(t.ActorRef));
        Receive<ExternalSubscriptionChanged>(HandleExternalSubscription);
        Receive<RegisterProcess>(r => _monitor.Tell(new ProcMonitor.Register(r.Info)));
        Receive<ProcMonitor.UsageSampled>(s => _usage = s.Report);
        Receive<GetStats>(_ => Sender.Tell(new CurrentStats(Snapshot())));
        Receive<GetProcesses>(_ => _monitor.Ask<ProcMonitor.CurrentUsage>(ProcMonitor.GetUsage.Instance, TimeSpan.FromSeconds(10))
            .PipeTo(Sender, success: u => new CurrentProcesses(u.Report.Processes.Select(p => new ProcInfo(p.Pid, p.Name, true)).ToArray())));
        Receive<AttachOutbound>(a =>
        {
            _outbound = a.Sink;
            Sender.Tell(Ack.Instance);
        });
        Receive<Tick>(_ => HandleTick());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        // The monitor reads /proc off the dispatcher and sends each sample here, where it joins the next snapshot.
        _monitor = Context.ActorOf(ProcMonitor.Props(_settings.Monitor, _settings.Monitor.SampleInterval ?? _settings.StatsInterval, Self), "monitor");
        Timers.StartPeriodicTimer("stats", Tick.Instance, _settings.StatsInterval);
    }

    private void HandlePublish(Publish publish)
    {
        TopicCounters counters;
        try
        {
            counters = _registry.GetOrAdd(publish.Topic);
        }
        catch (GeckoException e)
        {
            _log.Warning("Dropped a message on {0}: {1}", publish.Topic, e.Message);
            return;
        }

        var size = _encoder.KnownSize(publish.Message);
        if (_outbound is not null && HasExternalInterest(counters))
        {
            if (_encoder.TryEncode(publish.Message, out var payload))
            {
                size = payload.Length;
                _outbound.Enqueue(counters, payload);
            }
            else
            {
                WarnUnencodable(publish);
            }
        }
        counters.CountLocal(Math.Max(0, size));
        Deliver(publish.Topic, new TopicMessage(publish.Topic, publish.Message));
    }

    private void HandleExternal(ExternalMessage message) =>
        Deliver(message.Topic.Name, new TopicMessage(message.Topic.Name, message.Payload));

    private void Deliver(string topic, TopicMessage message)
    {
        if (!_subscribers.TryGetValue(topic, out var subscribers)) return;
        // A for loop over the list: no enumerator allocation on the hot path.
        for (var i = 0; i < subscribers.Count; i++) subscribers[i].Tell(message, Sender);
    }

    private void HandleSubscribe(Subscribe subscribe)
    {
        TopicCounters counters;
        try
        {
            counters = _registry.GetOrAdd(subscribe.Topic);
        }
        catch (GeckoException e)
        {
            // A full topic table is the subscriber's problem to hear about, not a reason to restart the router
            // (which would forget every subscription and registration).
            Sender.Tell(new Status.Failure(e));
            return;
        }
        if (!_subscribers.TryGetValue(subscribe.Topic, out var list))
            _subscribers[subscribe.Topic] = list = [];
        if (!list.Contains(subscribe.Subscriber))
        {
            list.Add(subscribe.Subscriber);
            _subscriptionsPerActor[subscribe.Subscriber] = _subscriptionsPerActor.GetValueOrDefault(subscribe.Subscriber) + 1;
            if (_subscriptionsPerActor[subscribe.Subscriber] == 1) Context.Watch(subscribe.Subscriber);
        }
        counters.SetLocalSubscribers(list.Count);
        Sender.Tell(new SubscribeAck(subscribe));
    }

    private void HandleUnsubscribe(Unsubscribe unsubscribe)
    {
        RemoveSubscription(unsubscribe.Topic, unsubscribe.Subscriber);
        Sender.Tell(new UnsubscribeAck(unsubscribe));
    }

    private void RemoveSubscriber(IActorRef subscriber)
    {
        foreach (var topic in _subscribers.Keys.ToArray()) RemoveSubscription(topic, subscriber);
    }

    private void RemoveSubscription(string topic, IActorRef subscriber)
    {
        if (!_subscribers.TryGetValue(topic, out var list) || !list.Remove(subscriber)) return;
        if (list.Count == 0) _subscribers.Remove(topic);
        if (_registry.TryGet(topic, out var counters)) counters.SetLocalSubscribers(list.Count);
        var left = _subscriptionsPerActor[subscriber] - 1;
        if (left > 0) _subscriptionsPerActor[subscriber] = left;
        else
        {
            _subscriptionsPerActor.Remove(subscriber);
            Context.Unwatch(subscriber);
        }
    }

    private void HandleExternalSubscription(ExternalSubscriptionChanged change)
    {
        if (change.Subscribed) _externalPrefixes.Add(change.Prefix);
        else
        {
            var index = _externalPrefixes.FindIndex(p => p.AsSpan().SequenceEqual(change.Prefix));
            if (index >= 0) _externalPrefixes.RemoveAt(index);
        }
        _interestVersion++;
    }

    /// <summary>Whether an external prefix matches; recomputed only after subscriptions changed.</summary>
    private bool HasExternalInterest(TopicCounters counters)
    {
        if (_interestVersionSeen.TryGetValue(counters, out var seen) && seen == _interestVersion)
            return counters.HasExternalInterest;
        var interested = false;
        foreach (var prefix in _externalPrefixes)
        {
            if (counters.Utf8Name.AsSpan().StartsWith(prefix))
            {
                interested = true;
                break;
            }
        }
        counters.SetExternalInterest(interested);
        _interestVersionSeen[counters] = _interestVersion;
        return interested;
    }

    private void HandleTick()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var seconds = Math.Max(1e-6, System.Diagnostics.Stopwatch.GetElapsedTime(_lastTickTimestamp, now).TotalSeconds);
        _lastTickTimestamp = now;
        double total = 0;
        foreach (var counters in _registry.All)
        {
            if (!_rates.TryGetValue(counters, out var rate)) _rates[counters] = rate = new Rate();
            var (messages, bytes) = counters.Read();
            rate.MessagesPerSecond = (messages - rate.Messages) / seconds;
            rate.BytesPerSecond = (bytes - rate.Bytes) / seconds;
            rate.Messages = messages;
            rate.Bytes = bytes;
            total += rate.MessagesPerSecond;
        }
        _totalMessagesPerSecond = total;
        Context.System.EventStream.Publish(new CurrentStats(Snapshot()));
    }

    private HubStats Snapshot()
    {
        var topics = new List<TopicStats>();
        long totalMessages = 0, totalBytes = 0;
        foreach (var counters in _registry.All)
        {
            var (messages, bytes) = counters.Read();
            totalMessages += messages;
            totalBytes += bytes;
            _rates.TryGetValue(counters, out var rate);
            topics.Add(new TopicStats(counters.Name, messages, bytes, rate?.MessagesPerSecond ?? 0, rate?.BytesPerSecond ?? 0,
                counters.LocalSubscribers, HasExternalInterest(counters)));
        }
        topics.Sort((a, b) => string.CompareOrdinal(a.Topic, b.Topic));
        return new HubStats(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow - _started, totalMessages, totalBytes, _totalMessagesPerSecond,
            _hubCounters.MalformedByReason(), topics, _usage.Processes, _usage.Hub, _usage.Connections);
    }

    private void WarnUnencodable(Publish publish)
    {
        // Throttled: a publisher in a loop would otherwise flood the log.
        if (DateTime.UtcNow - _lastEncodeWarning < TimeSpan.FromSeconds(5)) return;
        _lastEncodeWarning = DateTime.UtcNow;
        _log.Warning("A message of type {0} on {1} cannot be encoded for external subscribers; publish byte[] or a registered message type",
            publish.Message.GetType().Name, publish.Topic);
    }
}
