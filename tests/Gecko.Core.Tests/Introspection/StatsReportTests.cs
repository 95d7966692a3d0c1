using Gecko.Core.Cluster;
using Gecko.Core.Introspection;
using Gecko.Core.Monitoring;
using Gecko.Core.Routing;
using MessagePack;
using Xunit;

namespace Gecko.Core.Tests.Introspection;

public sealed class StatsReportTests
{
    private static readonly HubIdentity Identity = new(4242, "robot", "robot1", "tcp://0.0.0.0:9998", "tcp://0.0.0.0:9999", "0.1.0");

    private static HubStats Sample() => new(
        DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500), TimeSpan.FromSeconds(90.5), 1234, 56_789, 49.5,
        Enum.GetValues<MalformedReason>().ToDictionary(r => r, r => (long)r + 1),
        [
            new TopicStats("imu", 1000, 96_000, 50, 4800, 1, true)
            {
                Publishers = new ParticipantCount(1, true), Subscribers = new ParticipantCount(2, false), Dropped = 7,
                Cluster = new ClusterTraffic(10, 960, 5, 20, 1920, 10),
            },
        ],
        [new MonitoredProcess(7085, "imu", new ProcessUsage(1.5, 0.25, 71_000_000, 15))],
        new ProcessUsage(13.3, 0.4, 103_000_000, 20),
        [new TcpConnection(TcpState.Listen, new TcpEndpoint("0.0.0.0", 9998), null),
         new TcpConnection(TcpState.Established, new TcpEndpoint("::1", 9999), new TcpEndpoint("::1", 40028))])
    {
        Interval = TimeSpan.FromSeconds(3),
        Nodes =
        [
            new NodeStats("imu", 7085, "robot", NodeKind.Process, new ProcessUsage(1.5, 0.25, 71_000_000, 15), ["imu"], []),
            new NodeStats("py-cam", 7090, "robot", NodeKind.Process, new ProcessUsage(3, 1, 80_000_000, 9), [], []) { TopicsKnown = false },
            new NodeStats("pi", 12, "pi4", NodeKind.Remote, null, ["cv"], ["cmd"]),
            new NodeStats("talker", 4242, "robot", NodeKind.InProcess, null, ["hello"], []),
        ],
        Reserved = [new TopicStats(ReservedTopics.Query, 3, 150, 0, 0, 0, false)],
        TotalDropped = 7,
        DropsCounted = true,
        Cluster = new ClusterState("akka.tcp://gecko@robot:4053", ["hub"],
        [
            new ClusterMemberState("akka.tcp://gecko@pi4:4053", ["sensors"], "Up", false, false, 2, 1, 300, 30_000, 4, 500),
            new ClusterMemberState("akka.tcp://gecko@robot:4053", ["hub"], "Up", true, true, 3, 0, 0, 0, 0, 0),
        ]),
    };

    [Fact]
    public void Encode_ThenTryDecode_GivesBackEveryValue()
    {
        var sent = new StatsReport(Identity, Sample(), ["query-1", "query-2"]);

        Assert.True(StatsReport.TryDecode(sent.Encode(), out var received));

        Assert.Equal(Identity, received!.Hub);
        Assert.Equal(["query-1", "query-2"], received.ReplyTo);
        var (expected, actual) = (sent.Stats, received.Stats);
        Assert.Equal((expected.Timestamp, expected.Uptime, expected.Interval), (actual.Timestamp, actual.Uptime, actual.Interval));
        Assert.Equal((expected.TotalMessages, expected.TotalBytes, expected.MessagesPerSecond, expected.TotalDropped, expected.DropsCounted),
            (actual.TotalMessages, actual.TotalBytes, actual.MessagesPerSecond, actual.TotalDropped, actual.DropsCounted));
        Assert.Equal(expected.Malformed.OrderBy(m => m.Key), actual.Malformed.OrderBy(m => m.Key));
        Assert.Equal(expected.Topics, actual.Topics);
        Assert.Equal(expected.Reserved, actual.Reserved);
        Assert.Equal(expected.Hub, actual.Hub);
        Assert.Equal(expected.Connections, actual.Connections);
        Assert.Equal(expected.Nodes.Count, actual.Nodes.Count);
        for (var i = 0; i < expected.Nodes.Count; i++)
        {
            var (e, a) = (expected.Nodes[i], actual.Nodes[i]);
            Assert.Equal((e.Name, e.Pid, e.Host, e.Kind, e.Usage, e.TopicsKnown), (a.Name, a.Pid, a.Host, a.Kind, a.Usage, a.TopicsKnown));
            Assert.Equal(e.Publishes, a.Publishes);
            Assert.Equal(e.Subscribes, a.Subscribes);
        }
        Assert.Equal(2, actual.Processes.Count); // the measured local processes, as the dashboard lists them
        Assert.Equal(expected.Cluster!.SelfAddress, actual.Cluster!.SelfAddress);
        Assert.Equal(expected.Cluster.Roles, actual.Cluster.Roles);
        Assert.Equal(expected.Cluster.Members.Count, actual.Cluster.Members.Count);
        for (var i = 0; i < expected.Cluster.Members.Count; i++)
        {
            var (e, a) = (expected.Cluster.Members[i], actual.Cluster.Members[i]);
            Assert.Equal(e with { Roles = [] }, a with { Roles = [] });
            Assert.Equal(e.Roles, a.Roles);
        }
    }

    [Fact]
    public void Encode_WithoutACluster_WritesNilAndDecodesToNone()
    {
        var report = new StatsReport(Identity, Sample() with { Cluster = null }, []);

        var map = MessagePackSerializer.Deserialize<Dictionary<string, object?>>(report.Encode());
        Assert.True(StatsReport.TryDecode(report.Encode(), out var decoded));

        Assert.Null(map["cluster"]);
        Assert.Null(decoded!.Stats.Cluster);
    }

    [Fact]
    public void TryDecode_AnOlderHubsSmallerReport_TakesDefaultsForWhatIsMissing()
    {
        var payload = MessagePackSerializer.Serialize(new Dictionary<string, object>
        {
            ["version"] = 1,
            ["topics"] = new object[] { new Dictionary<string, object> { ["topic"] = "imu", ["messages"] = 5 } },
        });

        Assert.True(StatsReport.TryDecode(payload, out var report));

        var imu = report!.Stats.Topic("imu")!;
        Assert.Equal(5, imu.Messages);
        Assert.Equal(ParticipantCount.Unknown, imu.Publishers);
        Assert.Equal(ClusterTraffic.None, imu.Cluster);
        Assert.Empty(report.Stats.Nodes);
        Assert.Equal(0, report.Hub.Pid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("c1")]
    [InlineData("81a776657273696f6e02")] // {"version": 2}
    [InlineData("93010203")]             // an array
    public void TryDecode_NotAVersionOneReport_IsRefused(string hex) =>
        Assert.False(StatsReport.TryDecode(Convert.FromHexString(hex), out _));

    [Fact]
    public void TryDecode_MistypedValues_AreReadAsDefaultsNeverThrown()
    {
        var payload = MessagePackSerializer.Serialize(new Dictionary<string, object?>
        {
            ["version"] = 1,
            ["time"] = "yesterday",
            ["hub"] = new object[] { 1, 2 },
            ["topics"] = new object?[] { null, 5, new Dictionary<string, object> { ["topic"] = 7 }, new Dictionary<string, object> { ["topic"] = "ok", ["bytes"] = "many" } },
            ["nodes"] = "none",
            ["cluster"] = new Dictionary<string, object> { ["members"] = new object[] { "x" } },
        });

        Assert.True(StatsReport.TryDecode(payload, out var report));

        Assert.Equal("ok", Assert.Single(report!.Stats.Topics).Topic);
        Assert.Equal(0, report.Stats.Topics[0].Bytes);
        Assert.Empty(report.Stats.Cluster!.Members);
    }
}
