using Akka.Actor;
using Akka.TestKit;
using Gecko.Core.Routing;
using Xunit;

namespace Gecko.Core.Tests.Routing;

/// <summary>The hub's counters under a known load: exact totals, per topic and hub-wide, and rates per interval.</summary>
public sealed class CountersSpec : HubSpec
{
    private const int N = 5000, M = 100;          // on "load/t" from outside
    private const int K = 250;                     // on "load/t" in process, also M bytes
    private const int N2 = 700, M2 = 13;          // on "load/u" from outside

    [Fact]
    public async Task Hub_must_count_n_messages_and_n_times_m_bytes_per_topic_exactly()
    {
        using var publisher = ZeroMqNodes.Publisher(Hub.InAddress);
        await ConnectAsync(publisher, 0);

        var payload = new byte[M];
        var small = new byte[M2];
        for (var i = 0; i < N; i++)
        {
            publisher.Send("load/t", payload);
            if (i < N2) publisher.Send("load/u", small);
        }
        for (var i = 0; i < K; i++) Hub.Router.Tell(new TopicRouter.Publish("load/t", new byte[M]));
        var stats = await DrainAsync(publisher, 0);
        stats = await StatsUntilAsync(s => s.Topic("load/t")!.Messages == N + K, "the in-process messages counted");

        var t = stats.Topic("load/t")!;
        Assert.Equal(N + K, t.Messages);
        Assert.Equal((long)(N + K) * M, t.Bytes);
        var u = stats.Topic("load/u")!;
        Assert.Equal(N2, u.Messages);
        Assert.Equal((long)N2 * M2, u.Bytes);
        // Hub-wide totals are the sums over the topics of the same snapshot (probes and the end marker included).
        Assert.Equal(stats.Topics.Sum(x => x.Messages), stats.TotalMessages);
        Assert.Equal(stats.Topics.Sum(x => x.Bytes), stats.TotalBytes);
        // Besides the load: however many probes the handshake took, and the end marker.
        var control = stats.Topics.Where(x => x.Topic.StartsWith(ZeroMqNodes.ControlPrefix)).Sum(x => x.Messages);
        Assert.Equal(N + K + N2 + control, stats.TotalMessages);
        Assert.Equal(1, stats.Topic(ZeroMqNodes.EndTopic(0))!.Messages);
        Assert.Equal(0, stats.MalformedTotal);
        Assert.All(Enum.GetValues<MalformedReason>(), reason => Assert.Equal(0, stats.Malformed[reason]));
    }

    [Fact]
    public async Task Hub_must_report_rates_over_the_last_interval_in_its_periodic_snapshots()
    {
        var reports = CreateTestProbe();
        Sys.EventStream.Subscribe(reports.Ref, typeof(TopicRouter.CurrentStats));
        using var publisher = ZeroMqNodes.Publisher(Hub.InAddress);
        await ConnectAsync(publisher, 0);

        var payload = new byte[M];
        for (var i = 0; i < N; i++) publisher.Send("rate/t", payload);
        await DrainAsync(publisher, 0);

        // A report whose interval saw the traffic: a positive rate, and M bytes per message within it.
        var busy = await FishAsync(reports, s => s.Topic("rate/t") is { MessagesPerSecond: > 0 }, "a report with traffic on rate/t");
        var topic = busy.Topic("rate/t")!;
        Assert.Equal(M * topic.MessagesPerSecond, topic.BytesPerSecond, 6);
        Assert.True(busy.MessagesPerSecond >= topic.MessagesPerSecond);
        Assert.True(busy.Uptime > TimeSpan.Zero);

        // Once every message is counted and an interval passes without traffic, the rate is back to zero while the
        // totals stay.
        var quiet = await FishAsync(reports, s => s.Topic("rate/t") is { Messages: N, MessagesPerSecond: 0 }, "a quiet report on rate/t");
        Assert.Equal((long)N * M, quiet.Topic("rate/t")!.Bytes);
        Assert.Equal(0, quiet.Topic("rate/t")!.BytesPerSecond);
    }

    private static async Task<HubStats> FishAsync(TestProbe reports, Func<HubStats, bool> match, string what)
    {
        var found = await reports.FishForMessageAsync<TopicRouter.CurrentStats>(r => match(r.Stats), Timeout, what);
        return found.Stats;
    }
}
