using System.Diagnostics;
using Gecko.Launch.Cli;
using Gecko.Launch.Tools;
using Xunit;

namespace Gecko.Launch.Tests.Tools;

public sealed class ArrivalWindowTests
{
    private static long Ticks(double seconds) => (long)(seconds * Stopwatch.Frequency);

    [Fact]
    public void Rate_SteadyFiftyHertz_IsFiftyWithNoDeviation()
    {
        var window = new ArrivalWindow(100);
        for (var i = 0; i < 250; i++) window.Add(Ticks(i * 0.02), 10);

        var rate = window.Rate()!;

        Assert.Equal(50, rate.Hz, 6);
        Assert.Equal(0.02, rate.Min.TotalSeconds, 6);
        Assert.Equal(0.02, rate.Max.TotalSeconds, 6);
        Assert.Equal(0, rate.StdDev.TotalSeconds, 6);
        Assert.Equal(100, rate.Window);
    }

    [Fact]
    public void Rate_OnlyTheWindowCounts()
    {
        var window = new ArrivalWindow(3);
        // Slow at first, then every 0.1 s: the window holds the last three, two intervals of 0.1 s.
        foreach (var t in new[] { 0.0, 5.0, 10.0, 10.1, 10.2 }) window.Add(Ticks(t), 1);

        var rate = window.Rate()!;

        Assert.Equal(10, rate.Hz, 6);
        Assert.Equal(5, window.Total);
    }

    [Fact]
    public void Rate_UnevenIntervals_HasMinMaxAndStandardDeviation()
    {
        var window = new ArrivalWindow(10);
        foreach (var t in new[] { 0.0, 0.1, 0.4 }) window.Add(Ticks(t), 1);

        var rate = window.Rate()!;

        Assert.Equal(2 / 0.4, rate.Hz, 6);
        Assert.Equal(0.1, rate.Min.TotalSeconds, 6);
        Assert.Equal(0.3, rate.Max.TotalSeconds, 6);
        Assert.Equal(0.1, rate.StdDev.TotalSeconds, 6);
    }

    [Fact]
    public void Bandwidth_FixedAndMixedSizes()
    {
        var window = new ArrivalWindow(4);
        foreach (var (t, size) in new[] { (0.0, 999), (1.0, 100), (1.5, 100), (2.0, 300), (3.0, 100) }) window.Add(Ticks(t), size);

        var bandwidth = window.Bandwidth()!;

        // The last four: 100 B at 1.0, 1.5 and 3.0 s, 300 B at 2.0 s; 500 B came after the first, in 2 s.
        Assert.Equal(250, bandwidth.BytesPerSecond, 6);
        Assert.Equal(150, bandwidth.Mean, 6);
        Assert.Equal((100, 300, 4), (bandwidth.Min, bandwidth.Max, bandwidth.Window));
    }

    [Fact]
    public void Reports_BeforeTwoMessages_AreNone()
    {
        var window = new ArrivalWindow(5);
        window.Add(1, 1);

        Assert.Null(window.Rate());
        Assert.Null(TopicRateCommand.Hz(window));
        Assert.Null(TopicRateCommand.Bandwidth(window));
    }

    [Theory]
    [InlineData(64, "64 B")]
    [InlineData(1234.5, "1234.5 B")]
    [InlineData(14_970.7, "14.97 kB")]
    [InlineData(2_100_000, "2.10 MB")]
    [InlineData(20_000_000_000, "20.00 GB")]
    public void Bytes_AsPeopleReadThem(double bytes, string expected) => Assert.Equal(expected, TopicRateCommand.Bytes(bytes));
}
