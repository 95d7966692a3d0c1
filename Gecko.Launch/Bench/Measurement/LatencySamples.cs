using System.Diagnostics;

namespace Gecko.Launch.Bench.Measurement;

/// <summary>Latency samples in a preallocated buffer (no allocation while measuring) and their percentiles.</summary>
public sealed class LatencySamples(int capacity)
{
    private readonly long[] _ticks = new long[capacity];
    private int _count;
    private long _dropped;

    /// <summary>Samples kept.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Records one latency of <paramref name="ticks"/> Stopwatch ticks. One writer thread.</summary>
    public void Add(long ticks)
    {
        if (_count < _ticks.Length) _ticks[_count] = ticks;
        else _dropped++;
        Volatile.Write(ref _count, Math.Min(_count + 1, _ticks.Length));
    }

    /// <summary>Forgets the samples so far (the end of a warm-up).</summary>
    public void Reset() => Volatile.Write(ref _count, 0);

    /// <summary>The percentiles of the samples, in microseconds; null when there are none.</summary>
    public LatencySummary? Summarize()
    {
        var count = Count;
        if (count == 0) return null;
        var sorted = _ticks.AsSpan(0, count).ToArray();
        Array.Sort(sorted);
        double Micros(double p) => sorted[(int)Math.Round(p * (count - 1))] * 1e6 / Stopwatch.Frequency;
        return new LatencySummary(count, Micros(0.5), Micros(0.9), Micros(0.99), Micros(1.0));
    }
}

/// <summary>Latency percentiles in microseconds.</summary>
/// <param name="Samples">How many samples.</param>
/// <param name="P50">Median.</param>
/// <param name="P90">90th percentile.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="Max">The largest.</param>
public sealed record LatencySummary(int Samples, double P50, double P90, double P99, double Max);
