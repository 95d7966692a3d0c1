using Gecko.Core.Cluster;
using Gecko.Core.Introspection;
using Gecko.Core.Monitoring;
using Gecko.Core.Routing;
using Gecko.Launch.Cli;
using Xunit;

namespace Gecko.Launch.Tests.Cli;

/// <summary>What <c>gecko node list</c> prints for a report, including what the network put in it.</summary>
public sealed class NodeTableTests
{
    private static StatsReport Report(ClusterState? cluster, params NodeStats[] nodes) => new(
        new HubIdentity(4242, "robot", "robot1", "tcp://0.0.0.0:9998", "tcp://0.0.0.0:9999", "0.1.0"),
        new HubStats(DateTimeOffset.UnixEpoch, TimeSpan.Zero, 0, 0, 0, new Dictionary<MalformedReason, long>(), [], [],
            new ProcessUsage(13.3, 0.4, 1, 1), []) { Nodes = nodes, Cluster = cluster },
        []);

    [Fact]
    public void Table_ClusterHost_ListsTheClustersHostsAfterItsNodes()
    {
        var cluster = new ClusterState("akka.tcp://gecko@robot:4053", ["hub"],
        [
            new ClusterMemberState("akka.tcp://gecko@pi4:4053", ["sensors"], "Up", true, false, 2, 1, 300, 30_000, 4, 500),
            new ClusterMemberState("akka.tcp://gecko@robot:4053", ["hub"], "Up", true, true, 3, 0, 0, 0, 0, 0),
        ]);

        var lines = NodeCommand.Table(Report(cluster, new NodeStats("talker", 4242, "robot", NodeKind.InProcess, null, ["hello"], []))).Split('\n');

        Assert.Equal("hub [4242] on robot  key robot1  CPU 13.3%  memory 0.4%  in tcp://0.0.0.0:9998  out tcp://0.0.0.0:9999", lines[0]);
        Assert.StartsWith("talker", lines[2]);
        Assert.Equal("cluster: 2 of 2 hosts up (their nodes: gecko node list --key <their key>)", lines[3]);
        Assert.Equal("  up          akka.tcp://gecko@pi4:4053 (roles sensors)  wants 2 topics, 1 prefix  sent 300 (30.0 kB) dropped 4  received 500", lines[4]);
        Assert.Equal("  up          akka.tcp://gecko@robot:4053 (roles hub)  (this host)  wants 3 topics, 0 prefixes", lines[5]);
    }

    [Fact]
    public void Table_NamesAndTopicsFromTheNetwork_CannotDriveTheTerminal()
    {
        var node = new NodeStats("evil\u001b[2J", 1, "host\r", NodeKind.Remote, null, ["t\u0007"], []);

        var text = NodeCommand.Table(Report(null, node));

        Assert.DoesNotContain(text, c => char.IsControl(c) && c != '\n');
        Assert.Contains("evil\\x1b[2J", text);
        Assert.Contains("host\\r", text);
        Assert.Contains("t\\x07 / -", text);
    }

    [Fact]
    public void Table_PygeckoRegistration_ShowsItsTopicsAsUnknown()
    {
        var node = new NodeStats("camera", 7090, "robot", NodeKind.Process, new ProcessUsage(3, 1, 1, 1), [], []) { TopicsKnown = false };

        var line = NodeCommand.Table(Report(null, node)).Split('\n')[2];

        Assert.EndsWith("3.0     1.0  ? / ?", line);
    }
}
