using System.Text;

namespace Gecko.Core.Routing;

/// <summary>What the hub does with a topic's traffic from outside.</summary>
internal enum TopicKind : byte
{
    /// <summary>Counted and forwarded.</summary>
    Plain,

    /// <summary><c>core_info</c>: read as a registration, then counted and forwarded like any topic.</summary>
    CoreInfo,

    /// <summary><c>gecko.query</c>: read as a stats query, counted on its own, never forwarded.</summary>
    Query,

    /// <summary>Another <c>gecko.*</c> topic: only the hub publishes there; from outside it is malformed.</summary>
    Reserved,
}

/// <summary>
/// The live counters of one topic. Each pair but one has exactly one writer — the bridge's poller thread for traffic
/// from outside, the router actor for traffic published through it — so the hot path needs no lock and no
/// interlocked operation. Each such pair is guarded by a version (a seqlock): readers get messages and bytes of the
/// same moment, never a message counted without its bytes. The exception is what in-process publishers deliver
/// themselves (any number of threads, see CountDirect): two interlocked additions, exact once they stop.
/// </summary>
public sealed class TopicCounters
{
    private long _externalVersion;
    private long _externalMessages;
    private long _externalBytes;
    private long _localVersion;
    private long _localMessages;
    private long _localBytes;
    private long _clusterInVersion;
    private long _clusterInMessages;
    private long _clusterInBytes;
    private long _clusterOutVersion;
    private long _clusterOutMessages;
    private long _clusterOutBytes;
    private long _dropped;
    // Written by in-process publishers delivering themselves (TopicPublisher), from any thread: see CountDirect.
    private long _directMessages;
    private long _directBytes;
    private DirectRoute? _directRoute;
    private int _localSubscribers;
    private int _externalInterest;
    // (interest version << 1) | wanted: see SetRemoteInterest.
    private long _remoteInterest;

    /// <summary>
    /// The encoded size of one typed message published in process on this topic, measured once per stats interval
    /// (<see cref="SizeSampleEpoch"/>) when nothing outside wanted its bytes: such messages pass by reference and are
    /// never encoded, yet their kB/s should not read 0. Router only.
    /// </summary>
    internal int SampledSize = -1;

    /// <summary>The router's stats interval in which <see cref="SampledSize"/> was measured. Router only.</summary>
    internal int SizeSampleEpoch = -1;

    internal TopicCounters(string name, byte[] utf8Name)
    {
        Name = name;
        Utf8Name = utf8Name;
        Kind = name == Wire.WireProtocol.CoreInfoTopic ? TopicKind.CoreInfo
            : name == Introspection.ReservedTopics.Query ? TopicKind.Query
            : Introspection.ReservedTopics.IsReserved(name) ? TopicKind.Reserved
            : TopicKind.Plain;
    }

    /// <summary>Creates counters for <paramref name="name"/>.</summary>
    public TopicCounters(string name) : this(name, Encoding.UTF8.GetBytes(name)) { }

    /// <summary>The topic.</summary>
    public string Name { get; }

    /// <summary>The topic's wire frame.</summary>
    public byte[] Utf8Name { get; }

    /// <summary>What the hub does with this topic's traffic besides counting and forwarding it; decided once, when the topic is first seen.</summary>
    internal TopicKind Kind { get; }

    /// <summary>Whether this is one of the hub's own <c>gecko.*</c> topics, kept apart from user traffic.</summary>
    public bool IsReserved => Kind is TopicKind.Query or TopicKind.Reserved;

    /// <summary>Messages that arrived from outside (bridge thread writes).</summary>
    public long ExternalMessages => Volatile.Read(ref _externalMessages);

    /// <summary>Payload bytes that arrived from outside.</summary>
    public long ExternalBytes => Volatile.Read(ref _externalBytes);

    /// <summary>Messages published in process (through the router, or delivered by their publisher itself).</summary>
    public long LocalMessages => Volatile.Read(ref _localMessages) + Volatile.Read(ref _directMessages);

    /// <summary>Payload bytes published in process (typed messages that were not encoded count at their sampled size).</summary>
    public long LocalBytes => Volatile.Read(ref _localBytes) + Volatile.Read(ref _directBytes);

    /// <summary>All messages on this topic.</summary>
    public long Messages => Read().Messages;

    /// <summary>All payload bytes on this topic.</summary>
    public long Bytes => Read().Bytes;

    /// <summary>
    /// All messages that passed this hub on the topic (from outside, published in process, arrived from other cluster
    /// hosts) and their payload bytes, read together: the bytes are those of exactly these messages, but for the few
    /// that publishers delivering themselves are counting at that moment (see CountDirect).
    /// </summary>
    public (long Messages, long Bytes) Read()
    {
        var external = ReadPair(ref _externalVersion, ref _externalMessages, ref _externalBytes);
        var local = ReadPair(ref _localVersion, ref _localMessages, ref _localBytes);
        var direct = ReadDirect();
        var cluster = ReadPair(ref _clusterInVersion, ref _clusterInMessages, ref _clusterInBytes);
        return (external.Messages + local.Messages + direct.Messages + cluster.Messages,
            external.Bytes + local.Bytes + direct.Bytes + cluster.Bytes);
    }

    /// <summary>Messages that arrived from other cluster hosts and their payload bytes (router writes).</summary>
    public (long Messages, long Bytes) ReadFromCluster() => ReadPair(ref _clusterInVersion, ref _clusterInMessages, ref _clusterInBytes);

    /// <summary>Messages sent to other cluster hosts, one per host, and their payload bytes (the cluster actor writes).</summary>
    public (long Messages, long Bytes) ReadToCluster() => ReadPair(ref _clusterOutVersion, ref _clusterOutMessages, ref _clusterOutBytes);

    /// <summary>
    /// Whether a subscriber on another cluster host wants this topic: the bridge and the router hand its messages
    /// to the cluster only then (the cluster actor writes).
    /// </summary>
    public bool HasRemoteInterest => (Volatile.Read(ref _remoteInterest) & 1) != 0;

    /// <summary>
    /// Messages the hub dropped for external subscribers at their high-water mark (<c>gecko.core.send-high-water-mark</c>):
    /// one per subscriber that missed one message (bridge thread writes).
    /// </summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>In-process subscribers of this exact topic (router writes, bridge reads).</summary>
    public int LocalSubscribers => Volatile.Read(ref _localSubscribers);

    /// <summary>Whether some external subscriber's prefix matches this topic (router writes).</summary>
    public bool HasExternalInterest => Volatile.Read(ref _externalInterest) != 0;

    /// <summary>Counts one message from outside. Bridge thread only.</summary>
    internal void CountExternal(int bytes) => WritePair(ref _externalVersion, ref _externalMessages, ref _externalBytes, bytes);

    /// <summary>Counts <paramref name="subscribers"/> subscribers that missed a message. Bridge thread only.</summary>
    internal void CountDropped(int subscribers)
    {
        if (subscribers > 0) Volatile.Write(ref _dropped, _dropped + subscribers);
    }

    /// <summary>Counts one message published in process. Router only.</summary>
    internal void CountLocal(long bytes) => WritePair(ref _localVersion, ref _localMessages, ref _localBytes, bytes);

    /// <summary>
    /// Where in-process publishers may deliver on this topic themselves, without the router's hop: set by the router
    /// while only in-process subscribers want the topic, null whenever publications must pass the router.
    /// </summary>
    internal DirectRoute? DirectRoute
    {
        get => Volatile.Read(ref _directRoute);
        set => Volatile.Write(ref _directRoute, value);
    }

    /// <summary>
    /// Counts one message a publisher delivered itself, from any thread: several publishers may count on a topic at once,
    /// so this pair is no seqlock (a reader could starve while they flood) but two interlocked additions, the message
    /// first. Read bytes first, it never shows bytes without their message; while publishers count, it may show the
    /// few messages being counted at that moment without their bytes yet.
    /// </summary>
    internal void CountDirect(long bytes)
    {
        Interlocked.Increment(ref _directMessages);
        Interlocked.Add(ref _directBytes, bytes);
    }

    private (long Messages, long Bytes) ReadDirect()
    {
        var bytes = Volatile.Read(ref _directBytes);
        return (Volatile.Read(ref _directMessages), bytes);
    }

    /// <summary>Counts one message that arrived from another cluster host. Router only.</summary>
    internal void CountFromCluster(long bytes) => WritePair(ref _clusterInVersion, ref _clusterInMessages, ref _clusterInBytes, bytes);

    /// <summary>Counts one message sent to another cluster host. Cluster actor only.</summary>
    internal void CountToCluster(long bytes) => WritePair(ref _clusterOutVersion, ref _clusterOutMessages, ref _clusterOutBytes, bytes);

    /// <summary>
    /// Sets whether other hosts want this topic, as decided from interest table <paramref name="version"/>. Two threads
    /// may decide at once (the cluster actor for every topic when the table changes, the thread adding a new topic
    /// from the table it saw): the decision from the newer table wins, whatever the order of the writes.
    /// </summary>
    internal void SetRemoteInterest(long version, bool wanted)
    {
        var next = (version << 1) | (wanted ? 1L : 0L);
        var current = Volatile.Read(ref _remoteInterest);
        while ((current >> 1) <= version && current != next)
        {
            var seen = Interlocked.CompareExchange(ref _remoteInterest, next, current);
            if (seen == current) return;
            current = seen;
        }
    }

    // Single writer per pair: plain read-modify-writes published with volatile (release) stores, which keep their order,
    // so a reader that sees the same even version before and after its reads saw one consistent pair. On x64 these are
    // plain moves: the hot path pays nothing for it.
    private static void WritePair(ref long version, ref long messages, ref long bytes, long add)
    {
        var v = version;
        Volatile.Write(ref version, v + 1);
        Volatile.Write(ref messages, messages + 1);
        Volatile.Write(ref bytes, bytes + add);
        Volatile.Write(ref version, v + 2);
    }

    private static (long Messages, long Bytes) ReadPair(ref long version, ref long messages, ref long bytes)
    {
        var spinner = new SpinWait();
        while (true)
        {
            var before = Volatile.Read(ref version);
            var m = Volatile.Read(ref messages);
            var b = Volatile.Read(ref bytes);
            if ((before & 1) == 0 && Volatile.Read(ref version) == before) return (m, b);
            spinner.SpinOnce();
        }
    }

    internal void SetLocalSubscribers(int count) => Volatile.Write(ref _localSubscribers, count);

    internal void SetExternalInterest(bool interested) => Volatile.Write(ref _externalInterest, interested ? 1 : 0);
}
