using Gecko.Core.Monitoring;

namespace Gecko.Core.Routing;

/// <summary>One topic in a stats snapshot.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Messages">Messages since the hub started.</param>
/// <param name="Bytes">Payload bytes since the hub started.</param>
/// <param name="MessagesPerSecond">Average rate over the last stats interval.</param>
/// <param name="BytesPerSecond">Average payload bytes per second over the last stats interval.</param>
/// <param name="LocalSubscribers">In-process subscriber actors.</param>
/// <param name="ExternalSubscribers">Whether a ZeroMQ subscriber's prefix matches the topic.</param>
public sealed record TopicStats(
    string Topic, long Messages, long Bytes, double MessagesPerSecond, double BytesPerSecond,
    int LocalSubscribers, bool ExternalSubscribers)
{
    /// <summary>Who publishes the topic, as far as the hub can know (see <see cref="ParticipantCount"/>).</summary>
    public ParticipantCount Publishers { get; init; } = ParticipantCount.Unknown;

    /// <summary>Who subscribes to the topic, as far as the hub can know.</summary>
    public ParticipantCount Subscribers { get; init; } = ParticipantCount.Unknown;

    /// <summary>The topic's traffic with other cluster hosts (<see cref="ClusterTraffic.None"/> without a cluster).</summary>
    public ClusterTraffic Cluster { get; init; } = ClusterTraffic.None;

    /// <summary>
    /// Messages the hub dropped for external subscribers whose queue was full (their high-water mark), since it
    /// started: one per subscriber per message missed. ZeroMQ drops these silently; the hub counts them.
    /// </summary>
    public long Dropped { get; init; }

    /// <summary>
    /// Messages on the topic that Gecko publishers announced their own socket dropped before any hub got them (no hub
    /// connected yet, or its queue full), from their latest registrations: loss the hub cannot see, made visible.
    /// </summary>
    public long PublisherDropped { get; init; }
}

/// <summary>One topic's traffic with other cluster hosts, as this hub saw it.</summary>
/// <param name="MessagesIn">Messages that arrived from other hosts (part of the topic's totals: they passed this hub).</param>
/// <param name="BytesIn">Their payload bytes.</param>
/// <param name="InPerSecond">Messages arriving per second over the last interval.</param>
/// <param name="MessagesOut">Messages sent to other hosts, one per host that wanted each.</param>
/// <param name="BytesOut">Their payload bytes.</param>
/// <param name="OutPerSecond">Messages sent per second over the last interval.</param>
public sealed record ClusterTraffic(long MessagesIn, long BytesIn, double InPerSecond, long MessagesOut, long BytesOut, double OutPerSecond)
{
    /// <summary>No cluster, or no traffic.</summary>
    public static ClusterTraffic None { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Whether any message crossed either way.</summary>
    public bool Any => MessagesIn > 0 || MessagesOut > 0;

    internal static ClusterTraffic Of(TopicCounters counters, double inPerSecond, double outPerSecond)
    {
        var (messagesIn, bytesIn) = counters.ReadFromCluster();
        var (messagesOut, bytesOut) = counters.ReadToCluster();
        return new ClusterTraffic(messagesIn, bytesIn, inPerSecond, messagesOut, bytesOut, outPerSecond);
    }
}

/// <summary>
/// How many publishers or subscribers a topic has, honestly: <paramref name="Known"/> are in-process nodes and
/// processes that announced the topic in their registration; <paramref name="Exact"/> is false when traffic or a
/// subscription shows someone the hub cannot name (a pygecko node or a bare ZeroMQ socket announces nothing, and
/// ZeroMQ gives the hub no peer identity), so there may be more.
/// </summary>
/// <param name="Known">Publishers or subscribers the hub can name.</param>
/// <param name="Exact">Whether there are certainly no others.</param>
public sealed record ParticipantCount(int Known, bool Exact)
{
    /// <summary>Nothing known, others possible.</summary>
    public static ParticipantCount Unknown { get; } = new(0, false);

    /// <summary><c>2</c> when exact, <c>2+</c> when there may be more, <c>?</c> when none is known but some exist.</summary>
    public override string ToString() =>
        Exact ? Known.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : Known == 0 ? "?" : Known.ToString(System.Globalization.CultureInfo.InvariantCulture) + "+";
}

/// <summary>Where a node runs, seen from the hub.</summary>
public enum NodeKind
{
    /// <summary>A process on the hub's machine, registered on <c>core_info</c> or by the launcher; its CPU and memory are measured.</summary>
    Process,

    /// <summary>An actor inside the hub's own process (a <c>GeckoNode</c>); it shares the hub's CPU and memory.</summary>
    InProcess,

    /// <summary>A process on another machine that registered with its host name; its CPU and memory cannot be read here.</summary>
    Remote,
}

/// <summary>A node as the hub knows it.</summary>
/// <param name="Name">The name it registered with (an in-process node: its actor's name).</param>
/// <param name="Pid">Its process id on <paramref name="Host"/> (an in-process node: the hub's).</param>
/// <param name="Host">The machine it runs on.</param>
/// <param name="Kind">In process, a local process, or a remote one.</param>
/// <param name="Usage">CPU and memory over the last sample; null when they cannot be measured here.</param>
/// <param name="Publishes">Topics it publishes, as announced (in-process: its publishers).</param>
/// <param name="Subscribes">Topics it subscribes to, as announced (in-process: its subscriptions).</param>
public sealed record NodeStats(
    string Name, int Pid, string Host, NodeKind Kind, ProcessUsage? Usage, IReadOnlyList<string> Publishes, IReadOnlyList<string> Subscribes)
{
    /// <summary>Whether the node's topics are known: false for a node that registered as pygecko does, without naming them.</summary>
    public bool TopicsKnown { get; init; } = true;
}

/// <summary>A consistent snapshot of the hub: taken at one moment by the router, immutable after.</summary>
/// <param name="Timestamp">When the snapshot was taken.</param>
/// <param name="Uptime">Time since the router started.</param>
/// <param name="TotalMessages">Messages that passed the hub, all topics but the reserved ones.</param>
/// <param name="TotalBytes">Payload bytes that passed the hub, all topics.</param>
/// <param name="MessagesPerSecond">All topics, over the last interval.</param>
/// <param name="Malformed">Messages dropped as malformed, by reason.</param>
/// <param name="Topics">Per topic, sorted by name; the reserved <c>gecko.*</c> topics are in <see cref="Reserved"/> instead.</param>
/// <param name="Processes">Registered processes still alive, by pid, with their CPU and memory (from the process monitor's latest sample).</param>
/// <param name="Hub">The hub process's own CPU and memory.</param>
/// <param name="Connections">The hub process's listening and established TCP sockets.</param>
public sealed record HubStats(
    DateTimeOffset Timestamp, TimeSpan Uptime, long TotalMessages, long TotalBytes, double MessagesPerSecond,
    IReadOnlyDictionary<MalformedReason, long> Malformed, IReadOnlyList<TopicStats> Topics,
    IReadOnlyList<MonitoredProcess> Processes, ProcessUsage Hub, IReadOnlyList<TcpConnection> Connections)
{
    /// <summary>The hub's stats interval: rates are averages over it.</summary>
    public TimeSpan Interval { get; init; }

    /// <summary>Every node the hub knows: registered processes (with the topics they announced), remote nodes and in-process nodes.</summary>
    public IReadOnlyList<NodeStats> Nodes { get; init; } = [];

    /// <summary>The hub's own reserved topics (<c>gecko.*</c>), kept out of <see cref="Topics"/> and the totals.</summary>
    public IReadOnlyList<TopicStats> Reserved { get; init; } = [];

    /// <summary>This host's cluster: its members and what went to each; null when the hub is not in a cluster.</summary>
    public Cluster.ClusterState? Cluster { get; init; }

    /// <summary>Messages dropped for slow external subscribers, all topics but the reserved ones (see <see cref="TopicStats.Dropped"/>).</summary>
    public long TotalDropped { get; init; }

    /// <summary>Whether the hub counts such drops at all (false only if NetMQ's internals are not as Gecko expects).</summary>
    public bool DropsCounted { get; init; } = true;

    /// <summary>All malformed messages.</summary>
    public long MalformedTotal => Malformed.Values.Sum();

    /// <summary>The stats of <paramref name="topic"/>, or null when the hub has not seen it.</summary>
    public TopicStats? Topic(string topic) => Topics.FirstOrDefault(t => t.Topic == topic);
}
