using System.Diagnostics;

namespace Gecko.Launch.Bench.Measurement;

/// <summary>Records latencies of messages sent inside a measurement window only (not during warm-up or drain).</summary>
internal sealed class LatencyWindow(int capacity)
{
    private readonly LatencySamples _samples = new(capacity);
    private long _from = long.MaxValue;
    private long _to = long.MaxValue;

    /// <summary>Messages sent from now on are measured.</summary>
    public void Open() => Volatile.Write(ref _from, Stopwatch.GetTimestamp());

    /// <summary>Messages sent from now on are not.</summary>
    public void Close() => Volatile.Write(ref _to, Stopwatch.GetTimestamp());

    /// <summary>Records the latency of a message stamped <paramref name="sentAt"/>, received now. One writer at a time.</summary>
    public void Record(long sentAt)
    {
        var now = Stopwatch.GetTimestamp();
        if (sentAt >= Volatile.Read(ref _from) && sentAt < Volatile.Read(ref _to)) _samples.Add(now - sentAt);
    }

    /// <summary>The percentiles so far.</summary>
    public LatencySummary? Summarize() => _samples.Summarize();
}
