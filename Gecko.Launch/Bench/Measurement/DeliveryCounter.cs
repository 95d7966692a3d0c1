namespace Gecko.Launch.Bench.Measurement;

/// <summary>
/// What one subscriber got, checked against the publishers' sequence numbers: messages received, messages missing
/// (a gap in a publisher's sequence — ZeroMQ drops silently at high-water marks, so this is the only way to see it),
/// and messages out of order. Written by the subscriber's thread only; read by others with volatile reads.
/// </summary>
public sealed class DeliveryCounter
{
    private readonly long[] _next;
    private long _received;
    private long _gaps;
    private long _outOfOrder;
    private long _probes;
    private long _probedPublishers;

    /// <summary>A counter for messages from <paramref name="publishers"/> publishers (indexes 0..n-1).</summary>
    public DeliveryCounter(int publishers) => _next = new long[publishers];

    /// <summary>Messages received (probes excluded).</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>Messages skipped in some publisher's sequence.</summary>
    public long Gaps => Volatile.Read(ref _gaps);

    /// <summary>Messages that arrived after a later one of the same publisher.</summary>
    public long OutOfOrder => Volatile.Read(ref _outOfOrder);

    /// <summary>Handshake probes seen.</summary>
    public long Probes => Volatile.Read(ref _probes);


    /// <summary>The next sequence number expected from <paramref name="publisher"/>: everything below it arrived or was counted lost.</summary>
    public long NextExpected(int publisher) => Volatile.Read(ref _next[publisher]);

    /// <summary>Records one message. Subscriber thread only.</summary>
    public void Record(int publisher, long sequence)
    {
        if (sequence == Endpoints.BenchPayload.Probe)
        {
            Volatile.Write(ref _probes, _probes + 1);
            if (publisher is >= 0 and < 64) Volatile.Write(ref _probedPublishers, _probedPublishers | (1L << publisher));
            return;
        }
        if ((uint)publisher >= (uint)_next.Length)
        {
            Volatile.Write(ref _outOfOrder, _outOfOrder + 1);
            return;
        }
        ref var next = ref _next[publisher];
        if (sequence == next)
        {
            Volatile.Write(ref next, sequence + 1);
        }
        else if (sequence > next)
        {
            Volatile.Write(ref _gaps, _gaps + (sequence - next));
            Volatile.Write(ref next, sequence + 1);
        }
        else
        {
            Volatile.Write(ref _outOfOrder, _outOfOrder + 1);
        }
        Volatile.Write(ref _received, _received + 1);
    }

    /// <summary>Whether a probe of <paramref name="publisher"/> arrived (for publishers past 63: any probe).</summary>
    public bool HasProbeFrom(int publisher) =>
        publisher is >= 0 and < 64 ? (Volatile.Read(ref _probedPublishers) & (1L << publisher)) != 0 : Probes > 0;
}
