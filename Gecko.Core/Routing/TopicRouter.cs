using Akka.Actor;
using Gecko.Core.Hub;
using Gecko.Core.Introspection;
using Gecko.Core.Routing.Internal;
using Gecko.Core.Wire;

namespace Gecko.Core.Routing;

/// <summary>
/// The router's protocol. The router owns the subscription table and the counters of the hub: in-process publishers
/// send it <see cref="Publish"/>, subscriber actors <see cref="Subscribe"/> to exact topics and receive
/// <see cref="TopicMessage"/>; the bridge feeds it traffic from outside.
/// </summary>
public static class TopicRouter
{
    /// <summary>Props for a router over <paramref name="registry"/>.</summary>
    /// <param name="settings">The hub's settings (stats interval).</param>
    /// <param name="registry">The topic table shared with the bridge.</param>
    /// <param name="hubCounters">The bridge's hub-wide counters, read for snapshots.</param>
    /// <param name="encoder">Turns in-process messages into wire bytes when something outside wants them.</param>
    public static Props Props(CoreSettings settings, TopicRegistry registry, HubCounters hubCounters, IMessageEncoder? encoder = null) =>
        Akka.Actor.Props.Create(() => new TopicRouterActor(settings, registry, hubCounters, encoder ?? RawPayloadEncoder.Instance));

    /// <summary>Publishes <paramref name="Message"/> on <paramref name="Topic"/>. In-process subscribers get the same instance.</summary>
    /// <param name="Topic">The topic, 1–255 UTF-8 bytes.</param>
    /// <param name="Message">A raw payload (<see cref="T:byte[]"/>) or a message the router's encoder knows.</param>
    public sealed record Publish(string Topic, object Message)
    {
        /// <summary>The topic, checked.</summary>
        public string Topic { get; } = CheckedTopic(Topic);

        /// <summary>The message, not null.</summary>
        public object Message { get; } = Message ?? throw new ArgumentNullException(nameof(Message));

        /// <summary>The publisher's count of publications the router has yet to deliver (see <see cref="TopicPublisher"/>).</summary>
        internal PublishTicket? Ticket { get; init; }
    }

    /// <summary>
    /// Subscribes <paramref name="Subscriber"/> to the exact topic <paramref name="Topic"/>; answered with
    /// <see cref="SubscribeAck"/>, or with <see cref="Status.Failure"/> when the hub already counts
    /// <c>gecko.core.max-topics</c> topics.
    /// </summary>
    public sealed record Subscribe(string Topic, IActorRef Subscriber)
    {
        /// <summary>The topic, checked.</summary>
        public string Topic { get; } = CheckedTopic(Topic);
    }

    /// <summary>
    /// Tells the router that <paramref name="Publisher"/> (an in-process node) publishes on <paramref name="Topic"/>, so
    /// the topic's publisher count and <c>gecko node info</c> name it; the router forgets it when the actor stops.
    /// Not answered. Publishing works without it.
    /// </summary>
    public sealed record DeclarePublisher(string Topic, IActorRef Publisher)
    {
        /// <summary>The topic, checked.</summary>
        public string Topic { get; } = CheckedTopic(Topic);
    }

    /// <summary>The subscription is in place: every message published after this reaches the subscriber.</summary>
    public sealed record SubscribeAck(Subscribe Request);

    /// <summary>Removes a subscription; answered with <see cref="UnsubscribeAck"/>.</summary>
    public sealed record Unsubscribe(string Topic, IActorRef Subscriber);

    /// <summary>The subscription is gone.</summary>
    public sealed record UnsubscribeAck(Unsubscribe Request);

    /// <summary>A message delivered to a subscriber.</summary>
    /// <param name="Topic">The topic it was published on.</param>
    /// <param name="Message">The published instance, or the raw payload (<see cref="T:byte[]"/>) when it came from outside.</param>
    public sealed record TopicMessage(string Topic, object Message);

    /// <summary>Asks for a <see cref="CurrentStats"/> snapshot.</summary>
    public sealed class GetStats
    {
        /// <summary>The only instance.</summary>
        public static readonly GetStats Instance = new();
        private GetStats() { }
    }

    /// <summary>The answer to <see cref="GetStats"/>; also published on the event stream every stats interval.</summary>
    public sealed record CurrentStats(HubStats Stats);

    /// <summary>Asks for the registered processes: answered with <see cref="CurrentProcesses"/>.</summary>
    public sealed class GetProcesses
    {
        /// <summary>The only instance.</summary>
        public static readonly GetProcesses Instance = new();
        private GetProcesses() { }
    }

    /// <summary>The processes registered through <c>core_info</c> (or by the launcher) and still alive.</summary>
    public sealed record CurrentProcesses(IReadOnlyList<ProcInfo> Processes);

    /// <summary>Registers (alive) or removes (not alive) a process, as a <c>core_info</c> message does.</summary>
    public sealed record RegisterProcess(ProcInfo Info);

    /// <summary>Connects the router to the bridge's out queue; answered with <see cref="Ack"/>.</summary>
    /// <param name="Sink">The bridge's out queue.</param>
    /// <param name="Identity">The hub as its reports name it.</param>
    /// <param name="Metrics">The hub's meter, given each process sample; null for none.</param>
    internal sealed record AttachOutbound(IOutboundSink Sink, HubIdentity Identity, HubMetrics? Metrics = null);

    /// <summary>A <c>gecko.query</c> arrived from outside: publish a fresh report naming <paramref name="Id"/>.</summary>
    internal sealed record StatsQueried(string Id);

    /// <summary>A message that arrived from outside for a topic with in-process subscribers.</summary>
    internal sealed record ExternalMessage(TopicCounters Topic, byte[] Payload);

    /// <summary>The first external subscriber of a prefix came, or the last one left.</summary>
    internal sealed record ExternalSubscriptionChanged(byte[] Prefix, bool Subscribed);

    /// <summary>Connects the router to the host's cluster actor: it is told this host's interest and handed messages other hosts want.</summary>
    internal sealed record AttachCluster(IActorRef Cluster);

    /// <summary>What this host's subscribers want (router to cluster actor, on every change).</summary>
    internal sealed record LocalInterestChanged(TopicInterest Interest);

    /// <summary>A message that arrived from another cluster host: delivered here only, never sent to the cluster again.</summary>
    internal sealed record FromCluster(TopicCounters Topic, byte[] Payload);

    /// <summary>The cluster's members and traffic, for the next snapshots.</summary>
    internal sealed record ClusterStateChanged(Cluster.ClusterState State);

    /// <summary>A generic acknowledgement.</summary>
    internal sealed class Ack
    {
        public static readonly Ack Instance = new();
        private Ack() { }
    }

    private static string CheckedTopic(string topic)
    {
        WireProtocol.CheckTopic(topic);
        return topic;
    }
}
