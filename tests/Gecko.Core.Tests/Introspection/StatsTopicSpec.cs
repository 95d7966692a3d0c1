using System.Diagnostics;
using Akka.Actor;
using Gecko.Core.Discovery;
using Gecko.Core.Introspection;
using Gecko.Core.Monitoring;
using Gecko.Core.Routing;
using Gecko.Core.Wire;
using Gecko.Testing;
using NetMQ;
using Xunit;

namespace Gecko.Core.Tests.Introspection;

/// <summary>
/// The hub's report on <c>gecko.stats</c> and the queries on <c>gecko.query</c>, over the hub's two real sockets only,
/// as a tool on another machine sees them.
/// </summary>
public sealed class StatsTopicSpec : HubSpec
{
    private HubLocation Location => new(Hub.InAddress, Hub.OutAddress, HubSource.Explicit);

    [Fact]
    public async Task Query_must_be_answered_by_a_report_naming_the_hub_and_its_traffic()
    {
        using var node = ZeroMqNodes.Publisher(Hub.InAddress);
        await ConnectAsync(node, 0);
        for (var i = 0; i < 10; i++) node.Send("chatter", new byte[32]);
        var counted = await DrainAsync(node, 0);

        using var tool = HubConnection.Open(Location);
        var report = tool.Handshake(Timeout);

        Assert.NotNull(report);
        Assert.Equal((Environment.ProcessId, Key, Hub.InAddress, Hub.OutAddress), (report.Hub.Pid, report.Hub.Key, report.Hub.InAddress, report.Hub.OutAddress));
        Assert.Equal(System.Net.Dns.GetHostName(), report.Hub.Host);
        Assert.False(string.IsNullOrEmpty(report.Hub.Version));
        Assert.Equal(TimeSpan.FromMilliseconds(200), report.Stats.Interval);
        var chatter = report.Stats.Topic("chatter")!;
        Assert.Equal((10, 320), (chatter.Messages, chatter.Bytes));
        Assert.Equal(counted.TotalMessages, report.Stats.TotalMessages);
        Assert.Equal(report.Stats.Topics.Sum(t => t.Messages), report.Stats.TotalMessages);
        // The hub's own topics are reported apart from user traffic.
        Assert.DoesNotContain(report.Stats.Topics, t => t.Topic.StartsWith("gecko.", StringComparison.Ordinal));
        Assert.True(report.Stats.Reserved.Single(t => t.Topic == ReservedTopics.Query).Messages >= 1);
    }

    [Fact]
    public async Task Reports_must_come_every_interval_to_a_subscriber_of_gecko_stats()
    {
        using var subscriber = ZeroMqNodes.Subscriber(Hub.OutAddress, ReservedTopics.Stats);
        var reports = new List<StatsReport>();
        var deadline = Stopwatch.StartNew();
        while (reports.Count < 3)
        {
            Assert.True(deadline.Elapsed < Timeout, $"{reports.Count} reports within {Timeout}");
            if (subscriber.TryReceive(TimeSpan.FromMilliseconds(100)) is not { Topic: ReservedTopics.Stats } message) continue;
            Assert.True(StatsReport.TryDecode(message.Payload, out var report), "the report decodes");
            reports.Add(report!);
        }

        Assert.All(reports, r => Assert.Empty(r.ReplyTo));
        Assert.All(reports, r => Assert.Equal(Environment.ProcessId, r.Hub.Pid));
        Assert.True(reports[0].Stats.Timestamp < reports[2].Stats.Timestamp);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_subscriber_of_everything_alone_must_not_make_the_hub_publish_reports()
    {
        using var everything = ZeroMqNodes.Subscriber(Hub.OutAddress, "");
        using var node = ZeroMqNodes.Publisher(Hub.InAddress);
        ZeroMqNodes.Handshake(node, everything, Timeout);

        // Five stats intervals with a subscriber of "" only: user traffic arrives, no report does.
        var window = Stopwatch.StartNew();
        while (window.Elapsed < TimeSpan.FromSeconds(1))
        {
            node.Send("chatter", [1]);
            if (everything.TryReceive(TimeSpan.FromMilliseconds(50)) is { } message) Assert.NotEqual(ReservedTopics.Stats, message.Topic);
        }

        // Once a tool asks for reports by name, the subscriber of everything gets them too: ZeroMQ cannot tell them apart.
        using var tool = HubConnection.Open(Location);
        Assert.NotNull(tool.Handshake(Timeout));
        await Eventually.UntilAsync(() => everything.TryReceive(TimeSpan.FromMilliseconds(50))?.Topic == ReservedTopics.Stats,
            Timeout, "a report at the subscriber of everything");
    }

    [Fact]
    public async Task Forged_reports_and_other_reserved_topics_must_be_dropped_and_counted()
    {
        using var tool = HubConnection.Open(Location);
        Assert.NotNull(tool.Handshake(Timeout));
        using var forger = ZeroMqNodes.Publisher(Hub.InAddress);
        await ConnectAsync(forger, 0);
        var forged = new StatsReport(new HubIdentity(424242, "forged", "forged", "", "", ""),
            (await Hub.GetStatsAsync()) with { }, ["forged"]).Encode();

        forger.Send(ReservedTopics.Stats, forged);
        forger.Send("gecko.anything", [1, 2, 3]);
        var stats = await DrainAsync(forger, 0);

        Assert.Equal(2, stats.Malformed[MalformedReason.ReservedTopic]);
        Assert.DoesNotContain(stats.Topics, t => t.Topic.StartsWith("gecko.", StringComparison.Ordinal));
        // Everything the tool receives until its next query is answered is the hub's own.
        var query = StatsQuery.CreateUnique();
        forger.Send(ReservedTopics.Query, query.Encode());
        var received = 0;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Assert.True(deadline.Elapsed < Timeout, "the query answered");
            if (!tool.TryReceive(TimeSpan.FromMilliseconds(100), out var topic, out var payload) || topic != ReservedTopics.Stats) continue;
            Assert.True(StatsReport.TryDecode(payload, out var report));
            Assert.Equal(Environment.ProcessId, report!.Hub.Pid);
            received++;
            if (report.ReplyTo.Contains(query.Id)) break;
        }
        Assert.True(received >= 1);
    }

    [Fact]
    public async Task Garbage_queries_must_be_counted_and_a_flood_must_not_become_a_flood_of_reports()
    {
        using var tool = HubConnection.Open(Location);
        Assert.NotNull(tool.Handshake(Timeout));
        using var flooder = ZeroMqNodes.Publisher(Hub.InAddress);
        await ConnectAsync(flooder, 0);
        byte[][] garbage = [[], [0xC1], "not a map"u8.ToArray(), new byte[StatsQuery.MaxPayloadSize + 1],
            MessagePack.MessagePackSerializer.Serialize(new Dictionary<string, string> { ["query"] = "stats", ["id"] = "bad id with spaces" }),
            MessagePack.MessagePackSerializer.Serialize(new Dictionary<string, string> { ["query"] = "everything", ["id"] = "x" })];

        var flood = Stopwatch.StartNew();
        foreach (var payload in garbage) flooder.Send(ReservedTopics.Query, payload);
        for (var i = 0; i < 2000; i++) flooder.Send(ReservedTopics.Query, new StatsQuery($"flood-{i}").Encode());
        var last = new StatsQuery("last");
        var reports = 0;
        var nextSend = TimeSpan.Zero;
        while (true)
        {
            Assert.True(flood.Elapsed < Timeout, "the last query answered");
            if (flood.Elapsed >= nextSend)
            {
                // As a tool does: asked again until answered.
                flooder.Send(ReservedTopics.Query, last.Encode());
                nextSend = flood.Elapsed + HubConnection.QueryResendInterval;
            }
            if (!tool.TryReceive(TimeSpan.FromMilliseconds(100), out var topic, out var payload) || topic != ReservedTopics.Stats) continue;
            reports++;
            if (StatsReport.TryDecode(payload, out var report) && report!.ReplyTo.Contains(last.Id)) break;
        }
        var elapsed = flood.Elapsed;

        // Queries are answered at most every 50 ms, periodic reports come every 200 ms: 2002 queries are not 2002 reports.
        Assert.True(reports <= elapsed.TotalMilliseconds / 50 + elapsed.TotalMilliseconds / 200 + 3, $"{reports} reports in {elapsed.TotalMilliseconds:0} ms");
        var stats = await StatsUntilAsync(s => s.Malformed[MalformedReason.BadQuery] == garbage.Length, "the bad queries counted");
        Assert.True(stats.Reserved.Single(t => t.Topic == ReservedTopics.Query).Messages >= 2002, "every valid query is counted");
    }

    [Fact]
    public async Task Counts_must_name_announced_and_in_process_participants_and_say_when_there_may_be_others()
    {
        // In process: this test's actor publishes on cmd and subscribes to imu.
        Hub.Router.Tell(new TopicRouter.DeclarePublisher("cmd", TestActor));
        Hub.Router.Tell(new TopicRouter.Subscribe("imu", TestActor));
        await ExpectMsgAsync<TopicRouter.SubscribeAck>();
        // A node on another machine announces imu and subscribes to cmd; its socket carries imu, anonymous traffic carries camera.
        using var node = ZeroMqNodes.Publisher(Hub.InAddress);
        await ConnectAsync(node, 0);
        var pi = new ProcInfo(4242, "pi-imu", true) { Host = "robot-pi", Publishes = ["imu"], Subscribes = ["cmd"] };
        node.Send(WireProtocol.CoreInfoTopic, pi.Encode());
        using var cmdSubscriber = ZeroMqNodes.Subscriber(Hub.OutAddress, "cmd");
        using var imuSubscriber = ZeroMqNodes.Subscriber(Hub.OutAddress, "imu");
        ZeroMqNodes.Handshake([node], [cmdSubscriber, imuSubscriber], Timeout);

        HubStats stats = null!;
        await Eventually.UntilAsync(async () =>
        {
            node.Send("imu", [1]);
            node.Send("camera", [2]);
            stats = await Hub.GetStatsAsync();
            return stats.Topic("camera")?.Publishers == ParticipantCount.Unknown && stats.Topic("imu")?.Publishers.Exact == true
                   && stats.Nodes.Any(n => n.Name == "pi-imu");
        }, Timeout, "the counts", () => Describe(stats));

        Assert.Equal(new ParticipantCount(1, true), stats.Topic("imu")!.Publishers);          // announced by the pi
        Assert.Equal(new ParticipantCount(1, false), stats.Topic("imu")!.Subscribers);        // this actor, and an unannounced "imu" prefix
        Assert.Equal(new ParticipantCount(1, true), stats.Topic("cmd")!.Publishers);          // this actor
        Assert.Equal(new ParticipantCount(1, true), stats.Topic("cmd")!.Subscribers);         // the pi, whose "cmd" prefix is announced
        Assert.Equal("?", stats.Topic("camera")!.Publishers.ToString());
        var remote = stats.Nodes.Single(n => n.Name == "pi-imu");
        Assert.Equal((4242, "robot-pi", NodeKind.Remote, (ProcessUsage?)null), (remote.Pid, remote.Host, remote.Kind, remote.Usage));
        Assert.Equal(["imu"], remote.Publishes);
        var local = stats.Nodes.Single(n => n.Kind == NodeKind.InProcess && n.Name == TestActor.Path.Name);
        Assert.Equal(["cmd"], local.Publishes);
        Assert.Equal(["imu"], local.Subscribes);

        // The same over the wire.
        using var tool = HubConnection.Open(Location);
        var report = tool.Handshake(Timeout)!;
        Assert.Equal("1+", report.Stats.Topic("imu")!.Subscribers.ToString());
        Assert.Equal(NodeKind.Remote, report.Stats.Nodes.Single(n => n.Name == "pi-imu").Kind);
    }

    [Fact]
    public async Task A_remote_node_must_be_forgotten_when_it_leaves_or_stops_registering()
    {
        var hub = await StartHubAsync("remote-node-timeout = 1s");
        using var node = ZeroMqNodes.Publisher(hub.InAddress);
        await ConnectAsync(node, 0, hub);
        var leaving = new ProcInfo(1, "leaving", true) { Host = "elsewhere" };
        var silent = new ProcInfo(2, "silent", true) { Host = "elsewhere" };
        node.Send(WireProtocol.CoreInfoTopic, leaving.Encode());
        node.Send(WireProtocol.CoreInfoTopic, silent.Encode());
        await Eventually.UntilAsync(async () => (await hub.GetStatsAsync()).Nodes.Count(n => n.Host == "elsewhere") == 2, Timeout, "both remote nodes listed");

        node.Send(WireProtocol.CoreInfoTopic, (leaving with { Alive = false }).Encode());
        await Eventually.UntilAsync(async () => (await hub.GetStatsAsync()).Nodes.All(n => n.Name != "leaving"), Timeout, "the leaving node gone");
        await Eventually.UntilAsync(async () => (await hub.GetStatsAsync()).Nodes.All(n => n.Name != "silent"), Timeout, "the silent node forgotten");
        // Remote pids never reach the process monitor: pid 1 of another host means nothing here.
        Assert.Empty((await hub.Router.Ask<TopicRouter.CurrentProcesses>(TopicRouter.GetProcesses.Instance, Timeout)).Processes);
    }

    [Fact]
    public async Task Publishing_in_process_on_a_reserved_topic_must_be_dropped()
    {
        Hub.Router.Tell(new TopicRouter.Subscribe("gecko.mine", TestActor));
        await ExpectMsgAsync<TopicRouter.SubscribeAck>();
        var before = (await Hub.GetStatsAsync()).TotalMessages;

        Hub.Router.Tell(new TopicRouter.Publish("gecko.mine", new byte[] { 1 }));
        Hub.Router.Tell(new TopicRouter.Publish("after", new byte[] { 2 }));

        var stats = await StatsUntilAsync(s => s.Topic("after") is not null, "the message after");
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(before + 1, stats.TotalMessages);
        Assert.Equal(0, stats.Reserved.Single(t => t.Topic == "gecko.mine").Messages);
    }
}
