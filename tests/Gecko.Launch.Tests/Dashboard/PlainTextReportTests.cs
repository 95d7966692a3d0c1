using Gecko.Core.Monitoring;
using Gecko.Launch.Dashboard;
using Xunit;

namespace Gecko.Launch.Tests.Dashboard;

public sealed class PlainTextReportTests
{
    [Fact]
    public void Format_FixedSnapshot_ShowsEveryPartInPygeckosColumns()
    {
        var text = PlainTextReport.Format(SampleStats.Create(), SampleStats.Header);

        Assert.Equal("""
            == GeckoCore [4242]  up 1d 02:03:04  in tcp://127.0.0.1:9998  out tcp://127.0.0.1:9999
             hub: CPU   6.6%  memory  0.5%  45.2 MB  31 threads
             messages: 806 total  54.9 msgs/s  4472.1 kB  malformed 3 (WrongFrameCount 2, BadTopic 1)  dropped 1500 (cv 1500)
             connections: listening 127.0.0.1:9998 (in), 127.0.0.1:9999 (out); 2 established
               in  127.0.0.1:9998 <- 127.0.0.1:54466
               out 127.0.0.1:9999 <- 127.0.0.1:54467
             topics (2):
               cv .........................   14.9 msgs/s   4467.5 kB/s  dropped 1500
               hello ......................   40.0 msgs/s      2.3 kB/s
             processes (1):
               [24301] camera ............. CPU   5.1%  memory  0.3%    12.0 MB  4 threads

            """.Replace("\r\n", "\n"), text);
    }

    [Fact]
    public void Format_ManyClients_ListsTheFirstConnectionsAndCountsTheRest()
    {
        var text = PlainTextReport.Format(SampleStats.Create(extraClients: 20), SampleStats.Header);

        Assert.Contains("; 22 established\n", text, StringComparison.Ordinal);
        Assert.Equal(ReportLines.MaxConnectionLines, text.Split('\n').Count(l => l.Contains(" <- ")));
        Assert.Contains("   … and 6 more\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_NothingYet_SaysSo()
    {
        var stats = SampleStats.Create(malformedFrames: 0) with
        {
            Topics = [], Processes = [], Connections = [], Malformed = new Dictionary<Core.Routing.MalformedReason, long>(), TotalDropped = 0,
        };

        var text = PlainTextReport.Format(stats, SampleStats.Header);

        Assert.Contains(" connections: listening none seen; 0 established\n", text, StringComparison.Ordinal);
        Assert.Contains(" topics: none yet\n", text, StringComparison.Ordinal);
        Assert.Contains(" processes: none registered\n", text, StringComparison.Ordinal);
        Assert.Contains("malformed 0  dropped 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_DropsAnnouncedByPublishers_AreShownOnTheTopicsLine()
    {
        var stats = SampleStats.Create() with { Topics = [new Core.Routing.TopicStats("imu", 10, 640, 1, 64, 0, true) { PublisherDropped = 42 }] };

        Assert.Contains(" kB/s  lost at publishers 42\n", PlainTextReport.Format(stats, SampleStats.Header), StringComparison.Ordinal);
    }

    [Fact]
    public void Format_HubThatCannotCountDrops_SaysSoInsteadOfZero()
    {
        var stats = SampleStats.Create() with { DropsCounted = false };

        Assert.Contains("  dropped not counted\n", PlainTextReport.Format(stats, SampleStats.Header), StringComparison.Ordinal);
    }

    [Fact]
    public void Format_SocketsOtherThanTheHubs_AreListedWithoutARole()
    {
        var stats = SampleStats.Create() with
        {
            Connections = [new TcpConnection(TcpState.Established, new TcpEndpoint("::1", 4053), new TcpEndpoint("::1", 50000))],
        };

        Assert.Contains("\n       [::1]:4053 <- [::1]:50000\n", PlainTextReport.Format(stats, SampleStats.Header), StringComparison.Ordinal);
    }
}
