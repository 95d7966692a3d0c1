namespace Gecko.Core.Routing;

/// <summary>Hub-wide counters written by the bridge thread only and read by anyone with volatile reads.</summary>
public sealed class HubCounters
{
    private readonly long[] _malformed = new long[Enum.GetValues<MalformedReason>().Length];
    private int _dropsCounted;

    /// <summary>
    /// Whether the bridge counts the messages it drops for subscribers at their high-water mark
    /// (<see cref="TopicCounters.Dropped"/>); false before a bridge is attached or if NetMQ's internals are not as expected.
    /// </summary>
    public bool DropsCounted
    {
        get => Volatile.Read(ref _dropsCounted) != 0;
        internal set => Volatile.Write(ref _dropsCounted, value ? 1 : 0);
    }

    /// <summary>Messages dropped for <paramref name="reason"/>.</summary>
    public long Malformed(MalformedReason reason) => Volatile.Read(ref _malformed[(int)reason]);

    /// <summary>All dropped messages.</summary>
    public long MalformedTotal
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _malformed.Length; i++) sum += Volatile.Read(ref _malformed[i]);
            return sum;
        }
    }

    /// <summary>Counts one dropped message. Single writer: the bridge thread.</summary>
    internal void CountMalformed(MalformedReason reason)
    {
        ref var slot = ref _malformed[(int)reason];
        Volatile.Write(ref slot, slot + 1);
    }

    /// <summary>A copy of the per-reason counts.</summary>
    public IReadOnlyDictionary<MalformedReason, long> MalformedByReason()
    {
        var result = new Dictionary<MalformedReason, long>();
        foreach (var reason in Enum.GetValues<MalformedReason>()) result[reason] = Malformed(reason);
        return result;
    }
}
