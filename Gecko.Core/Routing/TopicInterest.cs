namespace Gecko.Core.Routing;

/// <summary>
/// Which topics some subscribers want: exact topics (in-process subscribers) and topic prefixes (ZeroMQ
/// subscribers). Immutable; the cluster keeps one for this host's subscribers and one for all other hosts'.
/// </summary>
public sealed class TopicInterest
{
    private readonly HashSet<string> _topics;
    private readonly byte[][] _prefixes;

    /// <summary>Nothing wanted.</summary>
    public static readonly TopicInterest None = new(0, [], []);

    /// <summary>Creates an interest set; <paramref name="version"/> orders sets made one after another.</summary>
    public TopicInterest(long version, IEnumerable<string> topics, IEnumerable<byte[]> prefixes)
    {
        Version = version;
        _topics = new HashSet<string>(topics, StringComparer.Ordinal);
        _prefixes = prefixes.Distinct(ByteArrayEquality.Instance).ToArray();
    }

    /// <summary>Orders interest sets: a newer one has a larger version.</summary>
    public long Version { get; }

    /// <summary>The exact topics wanted.</summary>
    public IReadOnlyCollection<string> Topics => _topics;

    /// <summary>The topic prefixes wanted (as ZeroMQ subscriptions: raw bytes, the empty prefix wants everything).</summary>
    public IReadOnlyList<byte[]> Prefixes => _prefixes;

    /// <summary>Whether nothing is wanted.</summary>
    public bool IsEmpty => _topics.Count == 0 && _prefixes.Length == 0;

    /// <summary>Whether <paramref name="topic"/> is wanted. The hub's own <c>gecko.*</c> topics never are: each hub's are its own.</summary>
    public bool Matches(TopicCounters topic) => Matches(topic.Name, topic.Utf8Name);

    /// <summary>Whether the topic named <paramref name="name"/> (wire bytes <paramref name="utf8Name"/>) is wanted.</summary>
    public bool Matches(string name, ReadOnlySpan<byte> utf8Name)
    {
        if (IsHubOwn(name)) return false;
        if (_topics.Contains(name)) return true;
        foreach (var prefix in _prefixes)
        {
            if (utf8Name.StartsWith(prefix)) return true;
        }
        return false;
    }

    /// <summary>Whether this and <paramref name="other"/> want the same topics (versions aside).</summary>
    public bool SameAs(TopicInterest other) =>
        _topics.SetEquals(other._topics) && _prefixes.Length == other._prefixes.Length
        && _prefixes.All(p => other._prefixes.Any(o => o.AsSpan().SequenceEqual(p)));

    /// <summary>The reserved <c>gecko.*</c> topics are each hub's own (its reports and queries); they never cross hosts.</summary>
    public static bool IsHubOwn(string topic) => Introspection.ReservedTopics.IsReserved(topic);

    private sealed class ByteArrayEquality : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayEquality Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
