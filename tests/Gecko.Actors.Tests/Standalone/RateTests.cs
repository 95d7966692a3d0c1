using Gecko.Actors.Standalone;
using Xunit;

namespace Gecko.Actors.Tests.Standalone;

/// <summary>A clock that moves only when told to; sleeping moves it to the deadline.</summary>
internal sealed class ManualClock : IRateClock
{
    public TimeSpan Now { get; private set; }

    public List<TimeSpan> Sleeps { get; } = [];

    public void Advance(TimeSpan by) => Now += by;

    public void SleepUntil(TimeSpan deadline)
    {
        Sleeps.Add(deadline - Now);
        if (deadline > Now) Now = deadline;
    }
}

public class RateTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Sleep_WorkTakesPartOfPeriod_WakesOnFixedScheduleWithoutDrift()
    {
        var clock = new ManualClock();
        var rate = new Rate(10, clock);

        for (var i = 1; i <= 50; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(30)); // the loop body
            rate.Sleep();
            Assert.Equal(Period * i, clock.Now);
        }
        Assert.All(clock.Sleeps, s => Assert.Equal(TimeSpan.FromMilliseconds(70), s));
        Assert.Equal(0, rate.Missed);
    }

    [Fact]
    public void Sleep_SlightlyLate_KeepsScheduleWithShorterWait()
    {
        var clock = new ManualClock();
        var rate = new Rate(10, clock);

        clock.Advance(TimeSpan.FromMilliseconds(150)); // 50 ms past the first tick
        rate.Sleep();                                  // returns at once
        Assert.Equal(TimeSpan.FromMilliseconds(150), clock.Now);
        rate.Sleep();                                  // next tick stays at 200 ms
        Assert.Equal(TimeSpan.FromMilliseconds(200), clock.Now);
    }

    [Fact]
    public void Sleep_FarBehind_SkipsMissedTicksInsteadOfBursting()
    {
        var clock = new ManualClock();
        var rate = new Rate(10, clock);

        clock.Advance(TimeSpan.FromMilliseconds(550)); // a stall of 5 periods
        rate.Sleep();
        rate.Sleep();

        // The second Sleep waits a whole period: no back-to-back catch-up ticks.
        Assert.Equal(TimeSpan.FromMilliseconds(650), clock.Now);
        Assert.Equal(4, rate.Missed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void Constructor_BadRate_Throws(double hz) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Rate(hz, new ManualClock()));
}
