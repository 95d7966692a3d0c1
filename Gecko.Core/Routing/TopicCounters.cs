using System.Text;

namespace Gecko.Core.Routing;

/// <summary>
/// The live counters of one topic. Each field has exactly one writer — the bridge's poller thread for traffic
/// from outside, the router actor for traffic published in process — so the hot path needs no lock and no
/// interlocked operation; readers take a snapshot with volatile reads.
/// </summary>
public sealed class TopicCounters
{
    private long _externalMessages;
    private long _externalBytes;
    private long _localMessages;
    private long _localBytes;
    private int _localSubscribers;
    private int _externalInterest;

    internal TopicCounters(string name, byte[] utf8Name)
    {
        Name = name;
        Utf8Name = utf8Name;
        IsCoreInfo = name == Wire.WireProtocol.CoreInfoTopic;
    }

    /// <summary>Creates counters for <paramref name="name"/>.</summary>
    public TopicCounters(string name) : this(name, Encoding.UTF8.GetBytes(name)) { }

    /// <summary>The topic.</summary>
    public string Name { get; }

    /// <summary>The topic's wire frame.</summary>
    public byte[] Utf8Name { get; }

    /// <summary>Whether this is the registration topic, whose payloads the hub reads.</summary>
    internal bool IsCoreInfo { get; }

    /// <summary>Messages that arrived from outside (bridge thread writes).</summary>
    public long ExternalMessages => Volatile.Read(ref _externalMessages);

    /// <summary>Payload bytes that arrived from outside.</summary>
    public long ExternalBytes => Volatile.Read(ref _externalBytes);

    /// <summary>Messages published in process (router writes).</summary>
    public long LocalMessages => Volatile.Read(ref _localMessages);

    /// <summary>Payload bytes published in process, where known.</summary>
    public long LocalBytes => Volatile.Read(ref _localBytes);

    /// <summary>All messages on this topic.</summary>
    public long Messages => ExternalMessages + LocalMessages;

    /// <summary>All payload bytes on this topic.</summary>
    public long Bytes => ExternalBytes + LocalBytes;

    /// <summary>In-process subscribers of this exact topic (router writes, bridge reads).</summary>
    public int LocalSubscribers => Volatile.Read(ref _localSubscribers);

    /// <summary>Whether some external subscriber's prefix matches this topic (router writes).</summary>
    public bool HasExternalInterest => Volatile.Read(ref _externalInterest) != 0;

    /// <summary>Counts one message from outside. Bridge thread only.</summary>
    internal void CountExternal(int bytes)
    {
        // Single writer: a plain read-modify-write published with a volatile store is enough.
        Volatile.Write(ref _externalMessages, _externalMessages + 1);
        Volatile.Write(ref _externalBytes, _externalBytes + bytes);
    }

    /// <summary>Counts one message published in process. Router only.</summary>
    internal void CountLocal(long bytes)
    {
        Volatile.Write(ref _localMessages, _localMessages + 1);
        Volatile.Write(ref _localBytes, _localBytes + bytes);
    }

    internal void SetLocalSubscribers(int count) => Volatile.Write(ref _localSubscribers, count);

    internal void SetExternalInterest(bool interested) => Volatile.Write(ref _externalInterest, interested ? 1 : 0);
}
