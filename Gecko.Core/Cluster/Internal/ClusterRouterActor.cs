using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Gecko.Core.Routing;
using Gecko.Core.Wire;
using static Gecko.Core.Cluster.ClusterRouting;

namespace Gecko.Core.Cluster.Internal;

/// <summary>A host's cluster actor: see <see cref="ClusterRouting"/>.</summary>
internal sealed class ClusterRouterActor : ReceiveActor, IWithTimers
{
    /// <summary>Another host: where to send, what it wants, and the flow control of what went to it.</summary>
    private sealed class RemoteHost(IActorRef actor)
    {
        public IActorRef Actor { get; } = actor;
        public long Version { get; set; } = -1;
        public TopicInterest Interest { get; set; } = TopicInterest.None;
        public long Sent;
        public long SentBytes;
        public long Acknowledged;
        public long AcknowledgedBytes;
        public long Dropped;
        public long Lost;
        public long LostBytes;
        public bool Unreachable;

        /// <summary>Messages for this host not sent yet: they go out together at the next <see cref="SendPending"/>.</summary>
        public readonly List<string> PendingTopics = [];
        public readonly List<byte[]> PendingPayloads = [];
        public long PendingBytes;
    }

    private sealed class SendPending
    {
        public static readonly SendPending Instance = new();
        private SendPending() { }
    }

    /// <summary>A batch is sent once it holds this many payload bytes, whatever else is waiting.</summary>
    private const int MaxBatchBytes = 256 * 1024;

    /// <summary>A batch is sent once it holds this many messages.</summary>
    private const int MaxBatchMessages = 512;

    /// <summary>What came from another host and how much of it was acknowledged.</summary>
    private sealed class Inbound
    {
        public long Messages;
        public long Bytes;
        public long AcknowledgedMessages;
        public long AcknowledgedBytes;
        public long Sequence;
        public long SequenceBytes;
    }

    private sealed class Announce
    {
        public static readonly Announce Instance = new();
        private Announce() { }
    }

    private sealed class Report
    {
        public static readonly Report Instance = new();
        private Report() { }
    }

    private sealed class FlushAcknowledgements
    {
        public static readonly FlushAcknowledgements Instance = new();
        private FlushAcknowledgements() { }
    }

    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AcknowledgeInterval = TimeSpan.FromMilliseconds(100);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ClusterSettings _settings;
    private readonly TopicRegistry _registry;
    private readonly IActorRef _router;
    private readonly int _maxPayloadSize;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly IActorRef _mediator = DistributedPubSub.Get(Context.System).Mediator;
    private readonly Dictionary<Address, Member> _members = new();
    private readonly HashSet<Address> _unreachable = [];
    private readonly Dictionary<Address, RemoteHost> _hosts = new();
    private readonly Dictionary<IActorRef, Inbound> _inbound = new();
    private readonly Dictionary<TopicCounters, (long Version, RemoteHost[] Hosts)> _targets = new(ReferenceEqualityComparer.Instance);
    private readonly long _acknowledgeEvery;
    private readonly long _acknowledgeBytes;
    private TopicInterest _localInterest = TopicInterest.None;
    private long _targetsVersion;
    private long _remoteInterestVersion;
    private readonly List<RemoteHost> _pendingHosts = [];
    private bool _sendScheduled;
    private DateTime _lastDropWarning = DateTime.MinValue;
    private DateTime _lastBadDataWarning = DateTime.MinValue;
    private readonly EventStream _events;
    private readonly bool _rejoined;
    private readonly Action<Address, bool>? _seen;

    public ClusterRouterActor(ClusterSettings settings, TopicRegistry registry, IActorRef router, int maxPayloadSize,
        EventStream? events = null, bool rejoined = false, Action<Address, bool>? seen = null)
    {
        // A rejoining host's cluster actor runs in an actor system of its own; the hub's listeners are in the hub's.
        _events = events ?? Context.System.EventStream;
        _rejoined = rejoined;
        _seen = seen;
        _settings = settings;
        _registry = registry;
        // The table keeps the newest interest it was given: a rejoining host's new cluster actor goes on from there.
        _remoteInterestVersion = registry.RemoteInterest.Version;
        _router = router;
        _maxPayloadSize = maxPayloadSize;
        // An eighth of the window: acknowledgements travel while the sender still has most of its window, so a busy
        // stream is not cut by an acknowledgement that is on its way.
        _acknowledgeEvery = Math.Max(1, settings.SendWindow / 8);
        _acknowledgeBytes = Math.Max(1, settings.SendWindowBytes / 8);

        Receive<Outgoing>(HandleOutgoing);
        Receive<TopicData>(data => Deliver(data.Topic, data.Payload, data.Sequence, data.SequenceBytes));
        Receive<TopicBatch>(HandleBatch);
        Receive<SendPending>(_ => SendAllPending());
        Receive<DataAcknowledged>(HandleAcknowledged);
        Receive<TopicRouter.LocalInterestChanged>(changed =>
        {
            if (changed.Interest.Version <= _localInterest.Version) return;
            var same = changed.Interest.SameAs(_localInterest);
            _localInterest = changed.Interest;
            if (!same) AnnounceInterest();
        });
        Receive<InterestAnnounced>(HandleInterest);
        Receive<ClusterEvent.IMemberEvent>(HandleMemberEvent);
        Receive<ClusterEvent.UnreachableMember>(u => HandleReachability(u.Member, reachable: false));
        Receive<ClusterEvent.ReachableMember>(r => HandleReachability(r.Member, reachable: true));
        Receive<SubscribeAck>(_ => { });
        Receive<Announce>(_ => AnnounceInterest());
        Receive<Report>(_ => _router.Tell(new TopicRouter.ClusterStateChanged(State())));
        Receive<FlushAcknowledgements>(_ => AcknowledgeAll());
        Receive<GetState>(_ => Sender.Tell(new CurrentState(State())));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        _mediator.Tell(new Subscribe(InterestTopic, Self));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer("announce", Announce.Instance, _settings.InterestInterval);
        Timers.StartPeriodicTimer("report", Report.Instance, ReportInterval);
        Timers.StartPeriodicTimer("acknowledge", FlushAcknowledgements.Instance, AcknowledgeInterval);
        _router.Tell(new TopicRouter.ClusterStateChanged(State()));
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private InterestAnnounced OwnInterest(bool isReply) =>
        new(Self, _localInterest.Version, _localInterest.Topics.ToArray(), _localInterest.Prefixes.ToArray(), isReply);

    private void AnnounceInterest() => _mediator.Tell(new Publish(InterestTopic, OwnInterest(isReply: false)));

    private void HandleInterest(InterestAnnounced announced)
    {
        if (announced.Host is null || announced.Topics is null || announced.Prefixes is null) return;
        var address = announced.Host.Path.Address;
        if (address.Equals(_cluster.SelfAddress)) return;
        // Only members are listened to: a removed host's late announcement must not bring it back.
        if (!_members.TryGetValue(address, out var member) || member.Status is MemberStatus.Down or MemberStatus.Removed) return;

        if (!_hosts.TryGetValue(address, out var host) || !host.Actor.Equals(announced.Host))
        {
            _hosts[address] = host = new RemoteHost(announced.Host) { Unreachable = _unreachable.Contains(address) };
            // It may not have heard of this host yet: answer at once instead of at the next interval.
            if (!announced.IsReply) announced.Host.Tell(OwnInterest(isReply: true));
        }
        if (announced.Version <= host.Version) return;
        host.Version = announced.Version;
        var interest = new TopicInterest(announced.Version,
            announced.Topics.Where(t => t is not null && WireProtocol.TryDecodeTopic(System.Text.Encoding.UTF8.GetBytes(t), out _)),
            announced.Prefixes.Where(p => p is not null && p.Length <= WireProtocol.MaxTopicBytes));
        if (interest.SameAs(host.Interest)) return;
        host.Interest = interest;
        if (_log.IsDebugEnabled) _log.Debug("{0} wants {1} topics and {2} prefixes", address, interest.Topics.Count, interest.Prefixes.Count);
        InterestChanged();
    }

    /// <summary>Some host's interest changed or it went away: new target lists, and the topic table marked anew.</summary>
    private void InterestChanged()
    {
        _targetsVersion++;
        var union = new TopicInterest(_remoteInterestVersion + 1,
            _hosts.Values.SelectMany(h => h.Interest.Topics), _hosts.Values.SelectMany(h => h.Interest.Prefixes));
        if (union.SameAs(_registry.RemoteInterest)) return;
        _remoteInterestVersion++;
        _registry.SetRemoteInterest(union);
    }

    /// <summary>
    /// Queues the message for each host that wants it and has room in its window. What is queued goes out when this
    /// actor has handled the messages already waiting in its mailbox: under load many messages cross in one remote
    /// message (Akka.Remote's cost is per message), at a low rate each goes out at once.
    /// </summary>
    private void HandleOutgoing(Outgoing outgoing)
    {
        var topic = outgoing.Topic;
        var hosts = TargetsOf(topic);
        var length = outgoing.Payload.Length;
        for (var i = 0; i < hosts.Length; i++)
        {
            var host = hosts[i];
            if (host.Unreachable
                || host.Sent - host.Acknowledged >= _settings.SendWindow
                || host.SentBytes - host.AcknowledgedBytes + length > _settings.SendWindowBytes && host.Sent > host.Acknowledged)
            {
                host.Dropped++;
                WarnDropped(host);
                continue;
            }
            if (host.PendingTopics.Count == 0) _pendingHosts.Add(host);
            host.PendingTopics.Add(topic.Name);
            host.PendingPayloads.Add(outgoing.Payload);
            host.PendingBytes += length;
            host.Sent++;
            host.SentBytes += length;
            topic.CountToCluster(length);
            if (host.PendingTopics.Count >= MaxBatchMessages || host.PendingBytes >= MaxBatchBytes) Send(host);
        }
        if (_pendingHosts.Count > 0 && !_sendScheduled)
        {
            _sendScheduled = true;
            Self.Tell(SendPending.Instance);
        }
    }

    private void SendAllPending()
    {
        _sendScheduled = false;
        foreach (var host in _pendingHosts) Send(host, unlist: false);
        _pendingHosts.Clear();
    }

    /// <summary>Sends what waits for <paramref name="host"/>: one message alone, several as a batch, in the order they came.</summary>
    private void Send(RemoteHost host, bool unlist = true)
    {
        var count = host.PendingTopics.Count;
        if (count == 0) return;
        // Everything counted as sent is out or in this batch: the receiver numbers its messages back from here.
        if (count == 1) host.Actor.Tell(new TopicData(host.PendingTopics[0], host.PendingPayloads[0], host.Sent, host.SentBytes));
        else host.Actor.Tell(new TopicBatch(host.PendingTopics.ToArray(), host.PendingPayloads.ToArray(), host.Sent, host.SentBytes));
        host.PendingTopics.Clear();
        host.PendingPayloads.Clear();
        host.PendingBytes = 0;
        if (unlist) _pendingHosts.Remove(host);
    }

    private RemoteHost[] TargetsOf(TopicCounters topic)
    {
        if (_targets.TryGetValue(topic, out var cached) && cached.Version == _targetsVersion) return cached.Hosts;
        var hosts = _hosts.Values.Where(h => h.Interest.Matches(topic)).ToArray();
        _targets[topic] = (_targetsVersion, hosts);
        return hosts;
    }

    private void HandleBatch(TopicBatch batch)
    {
        if (batch.Topics is null || batch.Payloads is null || batch.Topics.Length != batch.Payloads.Length)
        {
            WarnBadData(null, "a batch whose topics and payloads do not pair up");
            return;
        }
        var bytes = 0L;
        foreach (var payload in batch.Payloads) bytes += payload?.Length ?? 0;
        var sequence = batch.Sequence - batch.Topics.Length;
        var sequenceBytes = batch.SequenceBytes - bytes;
        for (var i = 0; i < batch.Topics.Length; i++)
        {
            sequenceBytes += batch.Payloads[i]?.Length ?? 0;
            Deliver(batch.Topics[i], batch.Payloads[i], ++sequence, sequenceBytes);
        }
    }

    /// <summary>A message from another host: checked (it is as untrusted as the wire), counted for acknowledgement, handed to the router.</summary>
    private void Deliver(string? topic, byte[]? payload, long sequence, long sequenceBytes)
    {
        // Hyperion fills fields without running constructors: nothing in a message from another host is checked yet.
        if (topic is null || payload is null || payload.Length > _maxPayloadSize)
        {
            WarnBadData(topic, $"{payload?.Length ?? -1} bytes of payload, at most {_maxPayloadSize}");
            return;
        }
        if (!_registry.TryGet(topic, out var counters))
        {
            // Checked once per topic: after that the table knows it.
            if (TopicInterest.IsHubOwn(topic) || !WireProtocol.TryDecodeTopic(System.Text.Encoding.UTF8.GetBytes(topic), out _))
            {
                WarnBadData(topic, "not a topic other hosts may send");
                return;
            }
            try
            {
                counters = _registry.GetOrAdd(topic);
            }
            catch (GeckoException e)
            {
                WarnBadData(topic, e.Message);
                return;
            }
        }
        else if (counters.IsReserved)
        {
            WarnBadData(topic, "the hub's own topic");
            return;
        }

        if (!_inbound.TryGetValue(Sender, out var inbound)) _inbound[Sender] = inbound = new Inbound();
        inbound.Messages++;
        inbound.Bytes += payload.Length;
        // In order from one sender (Akka.Remote keeps a pair's order), so a gap below this one is never filled.
        inbound.Sequence = Math.Max(inbound.Sequence, sequence);
        inbound.SequenceBytes = Math.Max(inbound.SequenceBytes, sequenceBytes);
        if (inbound.Messages - inbound.AcknowledgedMessages >= _acknowledgeEvery || inbound.Bytes - inbound.AcknowledgedBytes >= _acknowledgeBytes)
            Acknowledge(Sender, inbound);
        _router.Tell(new TopicRouter.FromCluster(counters, payload));
    }

    private void Acknowledge(IActorRef sender, Inbound inbound)
    {
        inbound.AcknowledgedMessages = inbound.Messages;
        inbound.AcknowledgedBytes = inbound.Bytes;
        sender.Tell(new DataAcknowledged(inbound.Messages, inbound.Bytes, inbound.Sequence, inbound.SequenceBytes));
    }

    private void AcknowledgeAll()
    {
        foreach (var (sender, inbound) in _inbound)
        {
            if (inbound.Messages != inbound.AcknowledgedMessages) Acknowledge(sender, inbound);
        }
    }

    private void HandleAcknowledged(DataAcknowledged acknowledged)
    {
        if (!_hosts.TryGetValue(Sender.Path.Address, out var host) || !host.Actor.Equals(Sender)) return;
        // Never beyond what was sent: a confused peer must not open the window wider than it is. Up to the latest
        // message it had, everything arrived or never will: what was lost no longer holds the window.
        host.Acknowledged = Math.Clamp(acknowledged.Sequence, host.Acknowledged, host.Sent);
        host.AcknowledgedBytes = Math.Clamp(acknowledged.SequenceBytes, host.AcknowledgedBytes, host.SentBytes);
        var lost = Math.Clamp(acknowledged.Sequence - acknowledged.Messages, host.Lost, host.Acknowledged);
        host.LostBytes = Math.Clamp(acknowledged.SequenceBytes - acknowledged.Bytes, host.LostBytes, host.AcknowledgedBytes);
        if (lost == host.Lost) return;
        _log.Warning("{0} messages for {1} were lost on the way ({2} so far; the connection broke with them unsent): counted as dropped",
            lost - host.Lost, Sender.Path.Address, lost);
        host.Lost = lost;
    }

    private void HandleMemberEvent(ClusterEvent.IMemberEvent memberEvent)
    {
        var member = memberEvent.Member;
        switch (memberEvent)
        {
            case ClusterEvent.MemberJoined:
                _members[member.Address] = member;
                Changed(member, MembershipChange.Joined);
                break;
            case ClusterEvent.MemberUp or ClusterEvent.MemberWeaklyUp:
                _members[member.Address] = member;
                var self = member.Address.Equals(_cluster.SelfAddress);
                if (!self) _seen?.Invoke(member.Address, true);
                Changed(member, self && _rejoined ? MembershipChange.Rejoined : MembershipChange.Up);
                // A newcomer learns this host's interest from the announcement; answered announcements do the rest.
                AnnounceInterest();
                break;
            case ClusterEvent.MemberLeft:
                _members[member.Address] = member;
                Changed(member, MembershipChange.Left);
                break;
            case ClusterEvent.MemberDowned:
                _members[member.Address] = member;
                Changed(member, MembershipChange.Downed);
                break;
            case ClusterEvent.MemberRemoved removed:
                _members.Remove(member.Address);
                _unreachable.Remove(member.Address);
                Forget(member.Address);
                // A host that left on its own is no longer one to rejoin through; a removed one may be the other side.
                if (removed.PreviousStatus == MemberStatus.Exiting) _seen?.Invoke(member.Address, false);
                Changed(member, removed.PreviousStatus == MemberStatus.Exiting ? MembershipChange.Exited : MembershipChange.Removed);
                break;
            default:
                _members[member.Address] = member;
                break;
        }
        _router.Tell(new TopicRouter.ClusterStateChanged(State()));
    }

    private void HandleReachability(Member member, bool reachable)
    {
        if (reachable) _unreachable.Remove(member.Address);
        else _unreachable.Add(member.Address);
        if (_hosts.TryGetValue(member.Address, out var host)) host.Unreachable = !reachable;
        Changed(member, reachable ? MembershipChange.Reachable : MembershipChange.Unreachable);
        _router.Tell(new TopicRouter.ClusterStateChanged(State()));
    }

    private void Forget(Address address)
    {
        if (_hosts.Remove(address, out var host))
        {
            _pendingHosts.Remove(host);
            InterestChanged();
        }
        foreach (var sender in _inbound.Keys.Where(s => s.Path.Address.Equals(address)).ToArray()) _inbound.Remove(sender);
    }

    private void Changed(Member member, MembershipChange change)
    {
        var changed = new MembershipChanged(member.Address.ToString(), member.Roles.Order(StringComparer.Ordinal).ToArray(), change,
            member.Address.Equals(_cluster.SelfAddress));
        // A host that rejoins says so itself (ClusterMembership), whether or not this event still reaches this actor.
        if (changed.IsSelf && change == MembershipChange.Removed && _settings.Rejoin) return;
        if (change is MembershipChange.Unreachable or MembershipChange.Downed || changed.IsSelf && change == MembershipChange.Removed)
            _log.Warning("{0}", changed.Text);
        else
            _log.Info("{0}", changed.Text);
        _events.Publish(changed);
    }

    private ClusterState State()
    {
        var members = new List<ClusterMemberState>();
        foreach (var (address, member) in _members.OrderBy(m => m.Key.ToString(), StringComparer.Ordinal))
        {
            _hosts.TryGetValue(address, out var host);
            var received = 0L;
            foreach (var (sender, inbound) in _inbound)
            {
                if (sender.Path.Address.Equals(address)) received += inbound.Messages;
            }
            var isSelf = address.Equals(_cluster.SelfAddress);
            members.Add(new ClusterMemberState(address.ToString(), member.Roles.Order(StringComparer.Ordinal).ToArray(), member.Status.ToString(),
                !_unreachable.Contains(address), isSelf,
                isSelf ? _localInterest.Topics.Count : host?.Interest.Topics.Count ?? 0,
                isSelf ? _localInterest.Prefixes.Count : host?.Interest.Prefixes.Count ?? 0,
                host is null ? 0 : host.Sent - host.Lost, host is null ? 0 : host.SentBytes - host.LostBytes,
                host is null ? 0 : host.Dropped + host.Lost, received));
        }
        return new ClusterState(_cluster.SelfAddress.ToString(), _settings.Roles, members);
    }

    private void WarnDropped(RemoteHost host)
    {
        // Throttled: a flood towards a slow host would otherwise flood the log too.
        if (DateTime.UtcNow - _lastDropWarning < TimeSpan.FromSeconds(5)) return;
        _lastDropWarning = DateTime.UtcNow;
        var address = host.Actor.Path.Address;
        _log.Warning("Dropping messages for {0} ({1} so far): {2}", address, host.Dropped,
            _unreachable.Contains(address) ? "it is unreachable" : "it has not acknowledged gecko.cluster.send-window messages or send-window-bytes yet (a slow network or host)");
    }

    private void WarnBadData(string? topic, string reason)
    {
        if (DateTime.UtcNow - _lastBadDataWarning < TimeSpan.FromSeconds(5)) return;
        _lastBadDataWarning = DateTime.UtcNow;
        _log.Warning("Dropped a message from {0} on '{1}': {2}", Sender.Path.Address, topic ?? "(no topic)", reason);
    }
}
