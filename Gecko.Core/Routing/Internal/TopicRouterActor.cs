using Akka.Actor;
using Akka.Event;
using Gecko.Core.Hub;
using Gecko.Core.Introspection;
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
        public long ExternalMessages;
        public double MessagesPerSecond;
        public double BytesPerSecond;

        /// <summary>Whether messages came from outside during the last interval.</summary>
        public bool ExternalActive;
        public long FromCluster;
        public long ToCluster;
        public double FromClusterPerSecond;
        public double ToClusterPerSecond;
    }

    /// <summary>
    /// What publishing on a topic needs, found with one lookup of the name: its counters, its in-process subscribers
    /// (the very list of <c>_subscribers</c>, or none) and the interest version its external interest was decided at.
    /// </summary>
    private sealed class Route(TopicCounters counters)
    {
        public static readonly List<IActorRef> NoSubscribers = [];
        public readonly TopicCounters Counters = counters;
        public List<IActorRef> Subscribers = NoSubscribers;
        public int InterestVersionSeen;
    }

    /// <summary>A registration that said more than pygecko's (host, topics), or came from another machine.</summary>
    private sealed record Announcement(ProcInfo Info, DateTime LastSeen);

    private sealed class AnswerQueries
    {
        public static readonly AnswerQueries Instance = new();
        private AnswerQueries() { }
    }

    /// <summary>
    /// The shortest time between two reports made for queries: a flood on <c>gecko.query</c> costs the hub at most
    /// this many snapshots a second. Tools repeat a query they got no answer to, so none is lost for it.
    /// </summary>
    private static readonly TimeSpan MinQueryGap = TimeSpan.FromMilliseconds(50);

    private static readonly byte[] StatsTopic = WireProtocol.EncodeTopic(ReservedTopics.Stats);

    /// <summary>The most query ids one report answers; older ones wait for their asker's next try.</summary>
    private const int MaxQueriesPerReport = 32;

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
    // Every topic published on in process (bounded by the registry's max-topics): the publish path's one lookup.
    private readonly Dictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<IActorRef>> _publishers = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, int> _subscriptionsPerActor = new();
    // By node, not by process: two standalone nodes in one process announce their topics and drops apart.
    private readonly Dictionary<(string Host, int Pid, string Name), Announcement> _announcements = new();
    private readonly List<string> _pendingQueries = [];
    private readonly string _localHost = System.Net.Dns.GetHostName();
    private readonly List<byte[]> _externalPrefixes = [];
    private readonly Dictionary<TopicCounters, int> _interestVersionSeen = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<TopicCounters, Rate> _rates = new(ReferenceEqualityComparer.Instance);
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private IActorRef _monitor = ActorRefs.Nobody;
    private MonitorReport _usage = MonitorReport.Empty;
    private long _lastTickTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
    private double _totalMessagesPerSecond;
    // Advances every stats interval: each topic's in-process message size is sampled again (SampledSize).
    private int _sizeSampleEpoch;
    private int _interestVersion = 1;
    private IOutboundSink? _outbound;
    private DateTime _lastEncodeWarning = DateTime.MinValue;
    private DateTime _lastReservedWarning = DateTime.MinValue;
    private DateTime _lastAnnouncementWarning = DateTime.MinValue;
    private HubIdentity _identity = HubIdentity.Unknown;
    private HubMetrics? _metrics;
    private long _lastQueryAnswer;
    private bool _queryAnswerScheduled;
    private IActorRef? _cluster;
    private Cluster.ClusterState? _clusterState;
    private long _localInterestVersion;

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
        Receive<DeclarePublisher>(HandleDeclarePublisher);
        Receive<RegisterProcess>(HandleRegisterProcess);
        Receive<ProcMonitor.UsageSampled>(s =>
        {
            _usage = s.Report;
            _metrics?.Observe(s.Report);
        });
        Receive<StatsQueried>(HandleStatsQueried);
        Receive<AnswerQueries>(_ => AnswerPendingQueries());
        Receive<GetStats>(_ => Sender.Tell(new CurrentStats(Snapshot())));
        Receive<GetProcesses>(_ => _monitor.Ask<ProcMonitor.CurrentUsage>(ProcMonitor.GetUsage.Instance, TimeSpan.FromSeconds(10))
            .PipeTo(Sender, success: u => new CurrentProcesses(u.Report.Processes.Select(p => new ProcInfo(p.Pid, p.Name, true)).ToArray())));
        Receive<AttachOutbound>(a =>
        {
            _outbound = a.Sink;
            _identity = a.Identity;
            _metrics = a.Metrics;
            _metrics?.Observe(_usage);
            Sender.Tell(Ack.Instance);
        });
        Receive<Tick>(_ => HandleTick());
        Receive<FromCluster>(HandleFromCluster);
        Receive<AttachCluster>(a =>
        {
            _cluster = a.Cluster;
            AnnounceLocalInterest();
            Sender.Tell(Ack.Instance);
        });
        Receive<ClusterStateChanged>(c => _clusterState = c.State);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        // The monitor reads /proc off the dispatcher and sends each sample here, where it joins the next snapshot.
        _monitor = Context.ActorOf(ProcMonitor.Props(_settings.Monitor, _settings.Monitor.SampleInterval ?? _settings.StatsInterval, Self), "monitor");
        Timers.StartPeriodicTimer("stats", Tick.Instance, _settings.StatsInterval);
    }

    /// <summary>Also before a restart: publishers must not deliver to subscribers a new router instance does not know.</summary>
    protected override void PostStop() => StopDirectDelivery();

    private void HandlePublish(Publish publish)
    {
        var route = RoutePublication(publish);
        if (publish.Ticket is not { } ticket) return;
        // After the last Tell: from now on the publisher may deliver itself and stay behind what the router delivered.
        ticket.Delivered();
        if (route is null) return;
        var counters = route.Counters;
        if (counters.DirectRoute is null && !counters.IsReserved && !counters.HasRemoteInterest && !(_outbound is not null && HasExternalInterest(route)))
            counters.DirectRoute = new DirectRoute(route.Subscribers.ToArray(), counters.SampledSize);
    }

    /// <summary>Publishes in process; the topic's route, or null when the topic table is full.</summary>
    private Route? RoutePublication(Publish publish)
    {
        if (!_routes.TryGetValue(publish.Topic, out var route) && (route = AddRoute(publish.Topic)) is null) return null;
        var counters = route.Counters;
        if (counters.IsReserved)
        {
            WarnReserved(publish.Topic);
            return route;
        }

        var size = _encoder.KnownSize(publish.Message);
        var external = _outbound is not null && HasExternalInterest(route);
        var remote = _cluster is not null && counters.HasRemoteInterest;
        if (external || remote)
        {
            // Encoded once, whoever wants it: the bridge's subscribers and every other host share the bytes.
            if (_encoder.TryEncode(publish.Message, out var payload))
            {
                size = payload.Length;
                if (external) _outbound!.Enqueue(counters, payload);
                if (remote) _cluster!.Tell(new Cluster.ClusterRouting.Outgoing(counters, payload));
            }
            else
            {
                WarnUnencodable(publish);
            }
        }
        if (size < 0) size = SampledSize(counters, publish.Message);
        counters.CountLocal(Math.Max(0, size));
        var subscribers = route.Subscribers;
        if (subscribers.Count == 0) return route;
        var message = new TopicMessage(publish.Topic, publish.Message);
        // A for loop over the list: no enumerator allocation on the hot path.
        for (var i = 0; i < subscribers.Count; i++) subscribers[i].Tell(message, Sender);
        return route;
    }

    /// <summary>
    /// Publishers deliver on <paramref name="topic"/> themselves no more: its subscribers changed. The next publication
    /// passes the router, which decides again.
    /// </summary>
    private void StopDirectDelivery(string topic)
    {
        if (_routes.TryGetValue(topic, out var route)) route.Counters.DirectRoute = null;
    }

    /// <summary>Publishers deliver themselves on no topic until the router has decided again for each (external interest changed, a stats interval began, the router stops).</summary>
    private void StopDirectDelivery()
    {
        foreach (var route in _routes.Values) route.Counters.DirectRoute = null;
    }

    /// <summary>The route of a topic first published on in process; null (and a warning) when the table is full.</summary>
    private Route? AddRoute(string topic)
    {
        TopicCounters counters;
        try
        {
            counters = _registry.GetOrAdd(topic);
        }
        catch (GeckoException e)
        {
            _log.Warning("Dropped a message on {0}: {1}", topic, e.Message);
            return null;
        }
        var route = new Route(counters);
        if (_subscribers.TryGetValue(topic, out var subscribers)) route.Subscribers = subscribers;
        _routes[topic] = route;
        return route;
    }

    /// <summary>
    /// The size a typed message would have on the wire, measured by encoding one message per topic and stats interval:
    /// in-process messages pass by reference, so their bytes are counted at the sampled size (exact for fixed-size
    /// messages such as IMU or twist, close for the rest).
    /// </summary>
    private int SampledSize(TopicCounters counters, object message)
    {
        if (counters.SizeSampleEpoch == _sizeSampleEpoch) return counters.SampledSize;
        counters.SizeSampleEpoch = _sizeSampleEpoch;
        if (_encoder.TryEncode(message, out var payload)) counters.SampledSize = payload.Length;
        return counters.SampledSize;
    }

    private void HandleExternal(ExternalMessage message) =>
        Deliver(message.Topic.Name, new TopicMessage(message.Topic.Name, message.Payload));

    /// <summary>Delivered to this host's subscribers only: what came from the cluster never goes back to it.</summary>
    private void HandleFromCluster(FromCluster message)
    {
        var counters = message.Topic;
        counters.CountFromCluster(message.Payload.Length);
        if (_outbound is not null && HasExternalInterest(counters)) _outbound.Enqueue(counters, message.Payload);
        Deliver(counters.Name, new TopicMessage(counters.Name, message.Payload));
    }

    /// <summary>Tells the cluster actor what this host's subscribers want: exact topics of actors, prefixes of ZeroMQ subscribers.</summary>
    private void AnnounceLocalInterest()
    {
        if (_cluster is null) return;
        _cluster.Tell(new LocalInterestChanged(new TopicInterest(++_localInterestVersion, _subscribers.Keys, _externalPrefixes)));
    }

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
        var newTopic = !_subscribers.TryGetValue(subscribe.Topic, out var list);
        if (list is null)
        {
            _subscribers[subscribe.Topic] = list = [];
            if (_routes.TryGetValue(subscribe.Topic, out var route)) route.Subscribers = list;
        }
        if (!list.Contains(subscribe.Subscriber))
        {
            list.Add(subscribe.Subscriber);
            Hold(subscribe.Subscriber);
            StopDirectDelivery(subscribe.Topic);
        }
        counters.SetLocalSubscribers(list.Count);
        if (newTopic) AnnounceLocalInterest();
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
        foreach (var (topic, publishers) in _publishers.ToArray())
        {
            if (!publishers.Remove(subscriber)) continue;
            if (publishers.Count == 0) _publishers.Remove(topic);
            Release(subscriber);
        }
    }

    private void RemoveSubscription(string topic, IActorRef subscriber)
    {
        if (!_subscribers.TryGetValue(topic, out var list) || !list.Remove(subscriber)) return;
        StopDirectDelivery(topic);
        if (list.Count == 0)
        {
            _subscribers.Remove(topic);
            if (_routes.TryGetValue(topic, out var route)) route.Subscribers = Route.NoSubscribers;
            AnnounceLocalInterest();
        }
        if (_registry.TryGet(topic, out var counters)) counters.SetLocalSubscribers(list.Count);
        Release(subscriber);
    }

    /// <summary>Counts one subscription or publisher declaration of <paramref name="actor"/>; the first one watches it.</summary>
    private void Hold(IActorRef actor)
    {
        var held = _subscriptionsPerActor.GetValueOrDefault(actor) + 1;
        _subscriptionsPerActor[actor] = held;
        if (held == 1) Context.Watch(actor);
    }

    private void Release(IActorRef actor)
    {
        var left = _subscriptionsPerActor[actor] - 1;
        if (left > 0) _subscriptionsPerActor[actor] = left;
        else
        {
            _subscriptionsPerActor.Remove(actor);
            Context.Unwatch(actor);
        }
    }

    private void HandleDeclarePublisher(DeclarePublisher declare)
    {
        // Listed from now on, like a topic with a subscriber: `gecko topic list` shows what is declared before it flows.
        if (!TryAddTopic(declare.Topic)) return;
        if (!_publishers.TryGetValue(declare.Topic, out var list)) _publishers[declare.Topic] = list = [];
        if (list.Contains(declare.Publisher)) return;
        list.Add(declare.Publisher);
        Hold(declare.Publisher);
    }

    /// <summary>
    /// A process on this machine goes to the monitor, as pygecko's core does. What pygecko's registration does not say
    /// is kept here: the topics a node announced, and nodes on other machines, whose pid means nothing here (they are
    /// listed, not measured, and forgotten when they stop repeating their registration).
    /// </summary>
    private void HandleRegisterProcess(RegisterProcess register)
    {
        var info = register.Info;
        var local = info.Host is null || string.Equals(info.Host, _localHost, StringComparison.OrdinalIgnoreCase);
        var key = (local ? _localHost : info.Host!, info.Pid, info.Name);
        if (local) _monitor.Tell(new ProcMonitor.Register(info));
        if (!info.Alive)
        {
            _announcements.Remove(key);
            return;
        }
        if (local && !info.AnnouncesTopics)
        {
            _announcements.Remove(key);
            return;
        }
        if (!_announcements.ContainsKey(key) && _announcements.Count >= _settings.Monitor.MaxProcesses)
        {
            if (DateTime.UtcNow - _lastAnnouncementWarning > TimeSpan.FromSeconds(10))
            {
                _lastAnnouncementWarning = DateTime.UtcNow;
                _log.Warning("Ignored the registration of {0} ({1} on {2}): {3} nodes are known already (gecko.core.monitor.max-processes)",
                    info.Name, info.Pid, key.Item1, _settings.Monitor.MaxProcesses);
            }
            return;
        }
        _announcements[key] = new Announcement(info, DateTime.UtcNow);
        foreach (var topic in info.Publishes) TryAddTopic(topic);
        foreach (var topic in info.Subscribes) TryAddTopic(topic);
    }

    /// <summary>Adds a topic announced or declared before any traffic; false when it is reserved or the table is full.</summary>
    private bool TryAddTopic(string topic)
    {
        if (ReservedTopics.IsReserved(topic)) return false;
        try
        {
            _registry.GetOrAdd(topic);
            return true;
        }
        catch (GeckoException)
        {
            return false;
        }
    }

    private void HandleStatsQueried(StatsQueried query)
    {
        if (!_pendingQueries.Contains(query.Id))
        {
            // The newest asker is the one most likely still waiting; an older one asks again if it is.
            if (_pendingQueries.Count == MaxQueriesPerReport) _pendingQueries.RemoveAt(0);
            _pendingQueries.Add(query.Id);
        }
        if (_queryAnswerScheduled) return;
        var wait = MinQueryGap - System.Diagnostics.Stopwatch.GetElapsedTime(_lastQueryAnswer);
        if (wait <= TimeSpan.Zero)
        {
            AnswerPendingQueries();
            return;
        }
        _queryAnswerScheduled = true;
        Timers.StartSingleTimer("answer-queries", AnswerQueries.Instance, wait);
    }

    private void AnswerPendingQueries()
    {
        _queryAnswerScheduled = false;
        _lastQueryAnswer = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_pendingQueries.Count == 0) return;
        var ids = _pendingQueries.ToArray();
        _pendingQueries.Clear();
        PublishReport(Snapshot(), ids);
    }

    /// <summary>
    /// Publishes the report on <c>gecko.stats</c> when someone wants it: an in-process subscriber, or an external one
    /// whose subscription names it (a subscriber of everything, prefix "", alone does not make the hub publish it).
    /// </summary>
    private void PublishReport(HubStats stats, IReadOnlyList<string> replyTo)
    {
        if (!_registry.TryGet(ReservedTopics.Stats, out var counters)) return;
        var external = _outbound is not null && WantsReports();
        if (!external && counters.LocalSubscribers == 0) return;
        var payload = new StatsReport(_identity, stats, replyTo).Encode();
        counters.CountLocal(payload.Length);
        if (external) _outbound!.Enqueue(counters, payload);
        Deliver(ReservedTopics.Stats, new TopicMessage(ReservedTopics.Stats, payload));
    }

    private bool WantsReports()
    {
        foreach (var prefix in _externalPrefixes)
            if (prefix.Length > 0 && StatsTopic.AsSpan().StartsWith(prefix)) return true;
        return false;
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
        StopDirectDelivery();
        AnnounceLocalInterest();
    }

    /// <summary>Whether an external prefix matches a topic published on in process; recomputed only after subscriptions changed.</summary>
    private bool HasExternalInterest(Route route)
    {
        if (route.InterestVersionSeen == _interestVersion) return route.Counters.HasExternalInterest;
        var interested = HasExternalInterest(route.Counters);
        route.InterestVersionSeen = _interestVersion;
        return interested;
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
        _sizeSampleEpoch++;
        // Each topic's next publication passes the router again, which samples its size (SampledSize) and decides anew.
        StopDirectDelivery();
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var seconds = Math.Max(1e-6, System.Diagnostics.Stopwatch.GetElapsedTime(_lastTickTimestamp, now).TotalSeconds);
        _lastTickTimestamp = now;
        double total = 0;
        foreach (var counters in _registry.All)
        {
            if (!_rates.TryGetValue(counters, out var rate)) _rates[counters] = rate = new Rate();
            var (messages, bytes) = counters.Read();
            var external = counters.ExternalMessages;
            rate.MessagesPerSecond = (messages - rate.Messages) / seconds;
            rate.BytesPerSecond = (bytes - rate.Bytes) / seconds;
            rate.ExternalActive = external != rate.ExternalMessages;
            rate.Messages = messages;
            rate.Bytes = bytes;
            rate.ExternalMessages = external;
            if (_cluster is not null)
            {
                var fromCluster = counters.ReadFromCluster().Messages;
                var toCluster = counters.ReadToCluster().Messages;
                rate.FromClusterPerSecond = (fromCluster - rate.FromCluster) / seconds;
                rate.ToClusterPerSecond = (toCluster - rate.ToCluster) / seconds;
                rate.FromCluster = fromCluster;
                rate.ToCluster = toCluster;
            }
            if (!counters.IsReserved) total += rate.MessagesPerSecond;
        }
        _totalMessagesPerSecond = total;
        var stats = Snapshot();
        Context.System.EventStream.Publish(new CurrentStats(stats));
        PublishReport(stats, []);
    }

    private HubStats Snapshot()
    {
        ForgetSilentNodes();
        var nodes = Nodes();
        var announcedPublishers = new Dictionary<string, int>(StringComparer.Ordinal);
        var announcedSubscribers = new Dictionary<string, int>(StringComparer.Ordinal);
        var announcedDropped = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var announcement in _announcements.Values)
            foreach (var (topic, count) in announcement.Info.Dropped) announcedDropped[topic] = announcedDropped.GetValueOrDefault(topic) + count;
        foreach (var node in nodes)
        {
            if (node.Kind == NodeKind.InProcess) continue;
            foreach (var topic in node.Publishes) announcedPublishers[topic] = announcedPublishers.GetValueOrDefault(topic) + 1;
            foreach (var topic in node.Subscribes) announcedSubscribers[topic] = announcedSubscribers.GetValueOrDefault(topic) + 1;
        }

        // Each external prefix, and whether some node announced a subscription to exactly it (once per snapshot).
        var prefixes = _externalPrefixes.Select(p => (p, announcedSubscribers.ContainsKey(System.Text.Encoding.UTF8.GetString(p)))).ToList();
        var topics = new List<TopicStats>();
        var reserved = new List<TopicStats>();
        long totalMessages = 0, totalBytes = 0, totalDropped = 0;
        foreach (var counters in _registry.All)
        {
            var (messages, bytes) = counters.Read();
            _rates.TryGetValue(counters, out var rate);
            var stats = new TopicStats(counters.Name, messages, bytes, rate?.MessagesPerSecond ?? 0, rate?.BytesPerSecond ?? 0,
                counters.LocalSubscribers, HasExternalInterest(counters))
            {
                Dropped = counters.Dropped,
                PublisherDropped = announcedDropped.GetValueOrDefault(counters.Name),
            };
            if (counters.IsReserved)
            {
                reserved.Add(stats);
                continue;
            }
            totalMessages += messages;
            totalBytes += bytes;
            totalDropped += stats.Dropped;
            var announcedPublishing = announcedPublishers.GetValueOrDefault(counters.Name);
            var externalActive = rate?.ExternalActive ?? counters.ExternalMessages > 0;
            // Other cluster hosts' publishers and subscribers are theirs to count: traffic with them means there are more.
            var fromCluster = (rate?.FromClusterPerSecond ?? 0) > 0;
            var toCluster = (rate?.ToClusterPerSecond ?? 0) > 0;
            topics.Add(stats with
            {
                // Traffic from outside with no node announcing the topic came from someone the hub cannot name.
                Publishers = new ParticipantCount((_publishers.TryGetValue(counters.Name, out var local) ? local.Count : 0) + announcedPublishing,
                    (!externalActive || announcedPublishing > 0) && !fromCluster),
                Subscribers = new ParticipantCount(counters.LocalSubscribers + announcedSubscribers.GetValueOrDefault(counters.Name),
                    ExternalSubscribersAnnounced(counters, prefixes) && !toCluster),
                Cluster = _cluster is null ? ClusterTraffic.None : ClusterTraffic.Of(counters, rate?.FromClusterPerSecond ?? 0, rate?.ToClusterPerSecond ?? 0),
            });
        }
        topics.Sort((a, b) => string.CompareOrdinal(a.Topic, b.Topic));
        reserved.Sort((a, b) => string.CompareOrdinal(a.Topic, b.Topic));
        return new HubStats(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow - _started, totalMessages, totalBytes, _totalMessagesPerSecond,
            _hubCounters.MalformedByReason(), topics, _usage.Processes, _usage.Hub, _usage.Connections)
        {
            Interval = _settings.StatsInterval,
            Nodes = nodes,
            Reserved = reserved,
            Cluster = _clusterState,
            TotalDropped = totalDropped,
            DropsCounted = _hubCounters.DropsCounted,
        };
    }

    /// <summary>
    /// Whether every external subscription matching the topic is one a node announced: ZeroMQ tells the hub only the
    /// first subscriber of each prefix, so one nobody announced means subscribers the hub cannot count.
    /// </summary>
    private static bool ExternalSubscribersAnnounced(TopicCounters counters, List<(byte[] Prefix, bool Announced)> prefixes)
    {
        foreach (var (prefix, announced) in prefixes)
            if (!announced && counters.Utf8Name.AsSpan().StartsWith(prefix)) return false;
        return true;
    }

    /// <summary>Every node: monitored local processes with what they announced, remote nodes, then in-process nodes.</summary>
    private List<NodeStats> Nodes()
    {
        var nodes = new List<NodeStats>();
        foreach (var process in _usage.Processes)
        {
            var (publishes, subscribes, topicsKnown) = AnnouncedBy(process.Pid);
            nodes.Add(new NodeStats(process.Name, process.Pid, _localHost, NodeKind.Process, process.Usage, publishes, subscribes)
            {
                TopicsKnown = topicsKnown,
            });
        }
        foreach (var ((host, pid, _), announcement) in _announcements)
        {
            if (host == _localHost) continue;
            nodes.Add(new NodeStats(announcement.Info.Name, pid, host, NodeKind.Remote, null, announcement.Info.Publishes, announcement.Info.Subscribes)
            {
                TopicsKnown = announcement.Info.AnnouncesTopics,
            });
        }
        var inProcess = new SortedDictionary<string, (IActorRef Actor, List<string> Publishes, List<string> Subscribes)>(StringComparer.Ordinal);
        foreach (var (topic, publishers) in _publishers)
            foreach (var actor in publishers) InProcessNode(inProcess, actor).Publishes.Add(topic);
        foreach (var (topic, subscribers) in _subscribers)
            foreach (var actor in subscribers) InProcessNode(inProcess, actor).Subscribes.Add(topic);
        foreach (var (name, node) in inProcess)
        {
            node.Publishes.Sort(StringComparer.Ordinal);
            node.Subscribes.Sort(StringComparer.Ordinal);
            nodes.Add(new NodeStats(name, Environment.ProcessId, _localHost, NodeKind.InProcess, null, node.Publishes, node.Subscribes));
        }
        return nodes;
    }

    /// <summary>What the nodes of one local process announced, together (a process usually holds one node).</summary>
    private (IReadOnlyList<string> Publishes, IReadOnlyList<string> Subscribes, bool TopicsKnown) AnnouncedBy(int pid)
    {
        var infos = new List<ProcInfo>(1);
        foreach (var ((host, announcedPid, _), announcement) in _announcements)
            if (announcedPid == pid && host == _localHost) infos.Add(announcement.Info);
        return infos.Count switch
        {
            0 => ([], [], false),
            1 => (infos[0].Publishes, infos[0].Subscribes, infos[0].AnnouncesTopics),
            _ => ([.. infos.SelectMany(i => i.Publishes).Distinct().Order(StringComparer.Ordinal)],
                  [.. infos.SelectMany(i => i.Subscribes).Distinct().Order(StringComparer.Ordinal)], infos.Exists(i => i.AnnouncesTopics)),
        };
    }

    private static (IActorRef Actor, List<string> Publishes, List<string> Subscribes) InProcessNode(
        SortedDictionary<string, (IActorRef Actor, List<string> Publishes, List<string> Subscribes)> nodes, IActorRef actor)
    {
        // Named by the actor's name, as GeckoNode.Name is; two actors of one name in different places keep apart.
        var name = actor.Path.Name;
        if (nodes.TryGetValue(name, out var node) && !node.Actor.Equals(actor)) name = actor.Path.ToStringWithoutAddress();
        if (!nodes.TryGetValue(name, out node)) nodes[name] = node = (actor, [], []);
        return node;
    }

    /// <summary>
    /// Forgets remote nodes that stopped repeating their registration, and announcements of local processes the
    /// monitor no longer follows (ended, or refused).
    /// </summary>
    private void ForgetSilentNodes()
    {
        if (_announcements.Count == 0) return;
        var now = DateTime.UtcNow;
        var followed = new HashSet<int>();
        foreach (var process in _usage.Processes) followed.Add(process.Pid);
        foreach (var (key, announcement) in _announcements.ToArray())
        {
            var silent = now - announcement.LastSeen > _settings.RemoteNodeTimeout;
            if (key.Host == _localHost ? silent && !followed.Contains(key.Pid) : silent) _announcements.Remove(key);
        }
    }

    private void WarnReserved(string topic)
    {
        if (DateTime.UtcNow - _lastReservedWarning < TimeSpan.FromSeconds(5)) return;
        _lastReservedWarning = DateTime.UtcNow;
        _log.Warning("Dropped a message published on {0}: topics starting with {1} are the hub's own; pick another topic", topic, ReservedTopics.Prefix);
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
