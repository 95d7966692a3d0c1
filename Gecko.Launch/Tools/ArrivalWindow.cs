using System.Diagnostics;

namespace Gecko.Launch.Tools;

/// <summary>The rate of a topic over a sliding window, as <c>rostopic hz</c> reports it.</summary>
/// <param name="Hz">Messages per second: intervals in the window over the time they span.</param>
/// <param name="Min">The shortest interval between two messages.</param>
/// <param name="Max">The longest interval.</param>
/// <param name="StdDev">The standard deviation of the intervals.</param>
/// <param name="Window">Messages in the window.</param>
public sealed record RateStats(double Hz, TimeSpan Min, TimeSpan Max, TimeSpan StdDev, int Window);

/// <summary>The bandwidth of a topic over a sliding window, as <c>rostopic bw</c> reports it.</summary>
/// <param name="BytesPerSecond">Payload bytes per second over the time the window spans.</param>
/// <param name="Mean">The mean payload size.</param>
/// <param name="Min">The smallest payload.</param>
/// <param name="Max">The largest payload.</param>
/// <param name="Window">Messages in the window.</param>
public sealed record BandwidthStats(double BytesPerSecond, double Mean, int Min, int Max, int Window);

/// <summary>
/// The last <see cref="Capacity"/> arrivals of a topic (receive time and payload size) in a ring: what
/// <c>gecko topic hz</c> and <c>bw</c> compute from. Adding costs no allocation; statistics are computed on demand.
/// </summary>
public sealed class ArrivalWindow
{
    private readonly long[] _timestamps;
    private readonly int[] _sizes;
    private int _next;
    private int _count;

    /// <summary>A window of the last <paramref name="capacity"/> messages (at least 2).</summary>
    public ArrivalWindow(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _timestamps = new long[capacity];
        _sizes = new int[capacity];
    }

    /// <summary>How many messages the window keeps.</summary>
    public int Capacity => _timestamps.Length;

    /// <summary>Messages added since the start.</summary>
    public long Total { get; private set; }

    /// <summary>Adds a message received at <paramref name="timestamp"/> (<see cref="Stopwatch"/> ticks) of <paramref name="size"/> bytes.</summary>
    public void Add(long timestamp, int size)
    {
        _timestamps[_next] = timestamp;
        _sizes[_next] = size;
        _next = (_next + 1) % Capacity;
        if (_count < Capacity) _count++;
        Total++;
    }

    /// <summary>The rate over the window; null until two messages came.</summary>
    public RateStats? Rate()
    {
        if (_count < 2) return null;
        var intervals = _count - 1;
        long min = long.MaxValue, max = 0;
        double sum = 0, sumOfSquares = 0;
        for (var i = 1; i < _count; i++)
        {
            var interval = At(i) - At(i - 1);
            min = Math.Min(min, interval);
            max = Math.Max(max, interval);
            sum += interval;
            sumOfSquares += (double)interval * interval;
        }
        var mean = sum / intervals;
        var variance = Math.Max(0, sumOfSquares / intervals - mean * mean);
        var span = At(_count - 1) - At(0);
        return new RateStats(span > 0 ? intervals * (double)Stopwatch.Frequency / span : double.PositiveInfinity,
            Ticks(min), Ticks(max), Ticks(Math.Sqrt(variance)), _count);
    }

    /// <summary>The bandwidth over the window; null until two messages came.</summary>
    public BandwidthStats? Bandwidth()
    {
        if (_count < 2) return null;
        long total = 0, afterFirst = 0;
        int min = int.MaxValue, max = 0;
        for (var i = 0; i < _count; i++)
        {
            var size = _sizes[Index(i)];
            total += size;
            if (i > 0) afterFirst += size;
            min = Math.Min(min, size);
            max = Math.Max(max, size);
        }
        var span = At(_count - 1) - At(0);
        // The first message opens the span: the bytes that arrived during it are those of the messages after it.
        return new BandwidthStats(span > 0 ? afterFirst * (double)Stopwatch.Frequency / span : double.PositiveInfinity,
            (double)total / _count, min, max, _count);
    }

    private long At(int i) => _timestamps[Index(i)];

    /// <summary>The ring index of the <paramref name="i"/>-th oldest message in the window.</summary>
    private int Index(int i) => (_next - _count + i + Capacity) % Capacity;

    private static TimeSpan Ticks(double stopwatchTicks) => TimeSpan.FromSeconds(stopwatchTicks / Stopwatch.Frequency);
}
