using System.Diagnostics;

namespace Gecko.Actors.Standalone;

/// <summary>The clock a <see cref="Rate"/> reads and sleeps on; injectable so tests need no wall-clock time.</summary>
public interface IRateClock
{
    /// <summary>Monotonic time since an arbitrary origin.</summary>
    TimeSpan Now { get; }

    /// <summary>Blocks until <see cref="Now"/> reaches <paramref name="deadline"/>.</summary>
    void SleepUntil(TimeSpan deadline);
}

/// <summary>The machine's monotonic clock.</summary>
public sealed class MonotonicClock : IRateClock
{
    /// <summary>The shared instance.</summary>
    public static readonly MonotonicClock Instance = new();

    private readonly long _origin = Stopwatch.GetTimestamp();

    /// <inheritdoc />
    public TimeSpan Now => Stopwatch.GetElapsedTime(_origin);

    /// <inheritdoc />
    public void SleepUntil(TimeSpan deadline)
    {
        var wait = deadline - Now;
        if (wait > TimeSpan.Zero) Thread.Sleep(wait);
    }
}

/// <summary>
/// Keeps a loop at a fixed rate, like rospy's <c>Rate</c>: <see cref="Sleep"/> waits until the next tick of a fixed
/// schedule, so time spent in the loop body does not accumulate as drift. A loop that fell behind by more than one
/// period skips the ticks it missed rather than running them back to back.
/// </summary>
public sealed class Rate
{
    private readonly IRateClock _clock;
    private TimeSpan _next;

    /// <summary>A rate of <paramref name="hz"/> ticks per second on <paramref name="clock"/> (the monotonic clock by default).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hz"/> is not above 0.</exception>
    public Rate(double hz, IRateClock? clock = null)
    {
        if (!(hz > 0 && double.IsFinite(hz))) throw new ArgumentOutOfRangeException(nameof(hz), hz, "A rate must be above 0 Hz, e.g. new Rate(10).");
        _clock = clock ?? MonotonicClock.Instance;
        Period = TimeSpan.FromSeconds(1 / hz);
        _next = _clock.Now + Period;
    }

    /// <summary>Time between ticks.</summary>
    public TimeSpan Period { get; }

    /// <summary>Ticks skipped because the loop was more than a period late.</summary>
    public long Missed { get; private set; }

    /// <summary>Waits for the next tick.</summary>
    public void Sleep()
    {
        var now = _clock.Now;
        if (now < _next)
        {
            _clock.SleepUntil(_next);
            _next += Period;
            return;
        }
        var late = now - _next;
        if (late < Period)
        {
            // Slightly late: keep the schedule, the next wait is shorter.
            _next += Period;
            return;
        }
        // More than a tick behind: start a fresh schedule from now instead of bursting through the backlog.
        Missed += (long)(late / Period);
        _next = now + Period;
    }
}
