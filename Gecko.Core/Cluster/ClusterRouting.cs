using Akka.Actor;
using Gecko.Core.Cluster.Internal;
using Gecko.Core.Routing;

namespace Gecko.Core.Cluster;

/// <summary>
/// The protocol of a host's cluster actor. Each host's actor announces what its subscribers want (exact topics of
/// in-process nodes, prefixes of ZeroMQ subscribers) to the others through Akka's DistributedPubSub, and sends a
/// message straight to each host that wants its topic; a message that arrived from another host is delivered on that
/// host only. Akka.Remote keeps the order of messages between two actors, so each publisher's order holds.
/// </summary>
public static class ClusterRouting
{
    /// <summary>The DistributedPubSub topic interest is announced on.</summary>
    public const string InterestTopic = "gecko.cluster.interest";

    /// <summary>The cluster actor's name under <c>/user</c>.</summary>
    public const string ActorName = "gecko-cluster";

    /// <summary>Props for the cluster actor of a hub.</summary>
    /// <param name="settings">The cluster settings.</param>
    /// <param name="registry">The hub's topic table (remote interest is marked on it).</param>
    /// <param name="router">The hub's router: messages from other hosts are delivered through it.</param>
    /// <param name="maxPayloadSize">Payloads from other hosts larger than this are dropped.</param>
    public static Props Props(ClusterSettings settings, TopicRegistry registry, IActorRef router, int maxPayloadSize) =>
        Props(settings, registry, router, maxPayloadSize, events: null, rejoined: false, seen: null);

    /// <summary>Props for a cluster actor that may run in another actor system than the hub (a rejoining host's new identity).</summary>
    /// <param name="settings">The cluster settings.</param>
    /// <param name="registry">The hub's topic table.</param>
    /// <param name="router">The hub's router.</param>
    /// <param name="maxPayloadSize">Payloads from other hosts larger than this are dropped.</param>
    /// <param name="events">Where <see cref="MembershipChanged"/> is published (null: the actor's own system's event stream).</param>
    /// <param name="rejoined">This host was removed and is joining again: its coming up is told as <see cref="MembershipChange.Rejoined"/>.</param>
    /// <param name="seen">Told the address of every other host that comes up, and of every host that left for good (null: nobody).</param>
    internal static Props Props(ClusterSettings settings, TopicRegistry registry, IActorRef router, int maxPayloadSize,
        Akka.Event.EventStream? events, bool rejoined, Action<Address, bool>? seen) =>
        Akka.Actor.Props.Create(() => new ClusterRouterActor(settings, registry, router, maxPayloadSize, events, rejoined, seen));

    /// <summary>
    /// A host's interest, announced to every host on <see cref="InterestTopic"/> when it changes and every
    /// <c>interest-interval</c>, and sent straight back to a host seen for the first time.
    /// </summary>
    /// <param name="Host">The announcing host's cluster actor: where its messages go.</param>
    /// <param name="Version">Orders one host's announcements (they may arrive by two paths).</param>
    /// <param name="Topics">Exact topics of its in-process subscribers.</param>
    /// <param name="Prefixes">Prefixes of its ZeroMQ subscribers.</param>
    /// <param name="IsReply">An answer to a first announcement (not answered again).</param>
    public sealed record InterestAnnounced(IActorRef Host, long Version, string[] Topics, byte[][] Prefixes, bool IsReply) : IClusterMessage;

    /// <summary>A message published on another host, for this host's subscribers.</summary>
    /// <param name="Topic">The topic.</param>
    /// <param name="Payload">The payload as it is on the wire (a typed message encoded once, on its host).</param>
    /// <param name="Sequence">How many messages the sender has sent this host, this one included.</param>
    /// <param name="SequenceBytes">How many payload bytes, this one's included.</param>
    public sealed record TopicData(string Topic, byte[] Payload, long Sequence, long SequenceBytes) : IClusterMessage;

    /// <summary>Messages published on another host, for this host's subscribers, in the order they were published.</summary>
    /// <param name="Topics">Each message's topic.</param>
    /// <param name="Payloads">Each message's payload, at the same index.</param>
    /// <param name="Sequence">How many messages the sender has sent this host, the last of these included.</param>
    /// <param name="SequenceBytes">How many payload bytes, the last of these included.</param>
    public sealed record TopicBatch(string[] Topics, byte[][] Payloads, long Sequence, long SequenceBytes) : IClusterMessage;

    /// <summary>
    /// The receiving host has had this many messages and payload bytes from the sender so far, and the latest it had was
    /// the sender's message <paramref name="Sequence"/>: the sender's flow control, and what was lost on the way
    /// (Akka.Remote drops what it had not written when a connection breaks, and says nothing), <c>Sequence - Messages</c>.
    /// </summary>
    public sealed record DataAcknowledged(long Messages, long Bytes, long Sequence, long SequenceBytes) : IClusterMessage;

    /// <summary>A message from this host for the hosts that want its topic (from the bridge or the router).</summary>
    internal sealed record Outgoing(TopicCounters Topic, byte[] Payload);

    /// <summary>Asks for the cluster's state: answered with <see cref="CurrentState"/>.</summary>
    public sealed class GetState
    {
        /// <summary>The only instance.</summary>
        public static readonly GetState Instance = new();
        private GetState() { }
    }

    /// <summary>The answer to <see cref="GetState"/>.</summary>
    public sealed record CurrentState(ClusterState State);

    /// <summary>A member joined, came up, left, became unreachable or reachable again, or was removed; published on the event stream.</summary>
    /// <param name="Address">The member's address.</param>
    /// <param name="Roles">Its roles.</param>
    /// <param name="Change">What happened.</param>
    /// <param name="IsSelf">Whether it is this host.</param>
    public sealed record MembershipChanged(string Address, IReadOnlyList<string> Roles, MembershipChange Change, bool IsSelf)
    {
        /// <summary>This host was removed and will join again by itself (<c>gecko.cluster.rejoin</c>).</summary>
        public bool WillRejoin { get; init; }

        /// <summary>The change in words, for logs and the dashboard.</summary>
        public string Text
        {
            get
            {
                var who = $"{(IsSelf ? "this host " : "")}{Address}{(Roles.Count > 0 ? $" (roles {string.Join(", ", Roles)})" : "")}";
                return Change switch
                {
                    MembershipChange.Joined => $"cluster: {who} is joining",
                    MembershipChange.Up => $"cluster: {who} is up",
                    MembershipChange.Left => $"cluster: {who} is leaving",
                    MembershipChange.Unreachable => $"cluster: {who} is unreachable; its messages are dropped until it answers again or is removed",
                    MembershipChange.Reachable => $"cluster: {who} is reachable again",
                    MembershipChange.Downed => $"cluster: {who} was downed by the split-brain resolver",
                    MembershipChange.Exited => $"cluster: {who} has left the cluster",
                    MembershipChange.Rejoined => $"cluster: {who} rejoined the cluster",
                    _ => IsSelf && WillRejoin
                        ? $"cluster: {who} was removed from the cluster (downed while the others could not reach it); its hub and nodes keep running here; rejoining as soon as the others answer"
                        : IsSelf
                        ? $"cluster: {who} was removed from the cluster; its hub and nodes keep running here; restart it to join again"
                        : $"cluster: {who} was removed",
                };
            }
        }
    }
}

/// <summary>What happened to a cluster member.</summary>
public enum MembershipChange
{
    /// <summary>It asked to join.</summary>
    Joined,

    /// <summary>It is a full member.</summary>
    Up,

    /// <summary>It is leaving on its own.</summary>
    Left,

    /// <summary>Its heartbeats stopped.</summary>
    Unreachable,

    /// <summary>Its heartbeats came back.</summary>
    Reachable,

    /// <summary>The split-brain resolver (or an operator) marked it down.</summary>
    Downed,

    /// <summary>It left on its own and is no longer a member.</summary>
    Exited,

    /// <summary>It is no longer a member (it was downed, or failed).</summary>
    Removed,

    /// <summary>This host, removed before, is a full member again (under a new identity, at the same address).</summary>
    Rejoined,
}

/// <summary>This host's view of the cluster.</summary>
/// <param name="SelfAddress">This host's cluster address.</param>
/// <param name="Roles">This host's roles.</param>
/// <param name="Members">Every member, this host included, sorted by address.</param>
public sealed record ClusterState(string SelfAddress, IReadOnlyList<string> Roles, IReadOnlyList<ClusterMemberState> Members)
{
    /// <summary>Members that are up (or weakly up) and reachable.</summary>
    public int UpCount => Members.Count(m => m.Reachable && m.Status is "Up" or "WeaklyUp");
}

/// <summary>One cluster member as this host sees it.</summary>
/// <param name="Address">Its address.</param>
/// <param name="Roles">Its roles.</param>
/// <param name="Status">Akka's member status: Joining, WeaklyUp, Up, Leaving, Exiting, Down.</param>
/// <param name="Reachable">Whether this host hears its heartbeats.</param>
/// <param name="IsSelf">Whether it is this host.</param>
/// <param name="InterestTopics">Exact topics it announced.</param>
/// <param name="InterestPrefixes">Prefixes it announced.</param>
/// <param name="SentMessages">Messages this host sent it (less those it learnt were lost on the way).</param>
/// <param name="SentBytes">Their payload bytes.</param>
/// <param name="Dropped">
/// Messages for it that never reached it: dropped by this host (unreachable, or its send window full), or lost on the
/// way when the connection broke (the other host's acknowledgements show the gap).
/// </param>
/// <param name="ReceivedMessages">Messages this host received from it.</param>
public sealed record ClusterMemberState(
    string Address, IReadOnlyList<string> Roles, string Status, bool Reachable, bool IsSelf,
    int InterestTopics, int InterestPrefixes, long SentMessages, long SentBytes, long Dropped, long ReceivedMessages);
