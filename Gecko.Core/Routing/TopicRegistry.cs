using System.Collections.Concurrent;
using Gecko.Core.Wire;

namespace Gecko.Core.Routing;

/// <summary>
/// Every topic the hub has seen, with its counters. The bridge looks topics up by their wire bytes without
/// allocating (an alternate lookup on a span); the router looks them up by name. Both get the same
/// <see cref="TopicCounters"/> instance, which is how counts from both sides meet.
/// </summary>
public sealed class TopicRegistry
{
    private readonly ConcurrentDictionary<byte[], TopicCounters> _byBytes = new(ByteArrayComparer.Instance);
    private readonly ConcurrentDictionary<byte[], TopicCounters>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private readonly ConcurrentDictionary<string, TopicCounters> _byName = new(StringComparer.Ordinal);
    private readonly int _builtIn;
    private TopicInterest _remoteInterest = TopicInterest.None;

    /// <summary>Creates a registry that keeps at most <paramref name="maxTopics"/> topics.</summary>
    public TopicRegistry(int maxTopics)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTopics);
        MaxTopics = maxTopics;
        _bySpan = _byBytes.GetAlternateLookup<ReadOnlySpan<byte>>();
        // The hub's own topics exist from the start and outside the limit: a table filled by garbage must not cost the
        // tools their report.
        foreach (var topic in (string[])[Introspection.ReservedTopics.Stats, Introspection.ReservedTopics.Query])
        {
            var counters = new TopicCounters(topic);
            _byName[topic] = counters;
            _byBytes[counters.Utf8Name] = counters;
        }
        _builtIn = _byName.Count;
    }

    /// <summary>The most topics kept, not counting the hub's own reserved topics.</summary>
    public int MaxTopics { get; }

    /// <summary>How many topics are known, the hub's own reserved topics included.</summary>
    public int Count => _byName.Count;

    /// <summary>All known topics' counters (a moment's copy).</summary>
    public IReadOnlyCollection<TopicCounters> All => _byName.Values.ToArray();

    /// <summary>Finds a topic by its wire bytes; no allocation.</summary>
    public bool TryGet(ReadOnlySpan<byte> topic, out TopicCounters counters) => _bySpan.TryGetValue(topic, out counters!);

    /// <summary>Finds a topic by name.</summary>
    public bool TryGet(string topic, out TopicCounters counters) => _byName.TryGetValue(topic, out counters!);

    /// <summary>
    /// Adds a topic seen on the wire. False when the frame is not a valid topic or the registry is full.
    /// Allocates, but only the first time a topic is seen.
    /// </summary>
    public bool TryAdd(ReadOnlySpan<byte> topic, out TopicCounters counters, out MalformedReason failure)
    {
        failure = default;
        if (_bySpan.TryGetValue(topic, out counters!)) return true;
        if (!WireProtocol.TryDecodeTopic(topic, out var name))
        {
            failure = MalformedReason.BadTopic;
            return false;
        }
        return TryAdd(name, topic.ToArray(), out counters, out failure);
    }

    /// <summary>Gets or adds a topic by name (for in-process publishers and subscribers).</summary>
    /// <exception cref="ArgumentException">The name is not a valid topic.</exception>
    /// <exception cref="GeckoException">The registry is full.</exception>
    public TopicCounters GetOrAdd(string topic)
    {
        if (_byName.TryGetValue(topic, out var counters)) return counters;
        if (!TryAdd(topic, WireProtocol.EncodeTopic(topic), out counters, out _))
            throw new GeckoException($"The hub already counts {MaxTopics} topics (gecko.core.max-topics); raise the limit to use topic '{topic}'.");
        return counters;
    }

    private bool TryAdd(string name, byte[] bytes, out TopicCounters counters, out MalformedReason failure)
    {
        failure = default;
        if (_byName.TryGetValue(name, out counters!)) return true;
        if (_byName.Count - _builtIn >= MaxTopics)
        {
            failure = MalformedReason.TooManyTopics;
            return false;
        }
        // Two threads may race to add the same topic: the name table decides who wins, the byte table follows it.
        counters = _byName.GetOrAdd(name, static (n, b) => new TopicCounters(n, b), bytes);
        _byBytes.TryAdd(counters.Utf8Name, counters);
        // A topic first seen now is wanted by other hosts if the latest table says so; SetRemoteInterest may be
        // walking the topics at this moment, and the newer table's decision wins (see TopicCounters).
        Interlocked.MemoryBarrier();
        var interest = Volatile.Read(ref _remoteInterest);
        counters.SetRemoteInterest(interest.Version, interest.Matches(counters));
        return true;
    }

    /// <summary>What other cluster hosts want now.</summary>
    public TopicInterest RemoteInterest => Volatile.Read(ref _remoteInterest);

    /// <summary>
    /// Marks every topic, and every topic added from now on, as wanted by other cluster hosts or not, by
    /// <paramref name="interest"/> (which must be newer than the last one set).
    /// </summary>
    public void SetRemoteInterest(TopicInterest interest)
    {
        ArgumentNullException.ThrowIfNull(interest);
        Interlocked.Exchange(ref _remoteInterest, interest);
        foreach (var counters in _byName.Values) counters.SetRemoteInterest(interest.Version, interest.Matches(counters));
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
