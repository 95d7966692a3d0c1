using System.Buffers.Binary;
using Akka.Actor;
using Gecko.Core.Hub;
using Gecko.Core.Routing;
using Xunit;

namespace Gecko.Core.Tests.Routing;

/// <summary>Publishers that deliver to in-process subscribers themselves while nothing else wants their topic.</summary>
public sealed class TopicPublisherSpec : HubSpec
{
    // No stats interval during a test: each one takes every publisher off its route until its next publication passes
    // the router, which would race the tests' look at the route.
    protected override string HubConfig => "stats-interval = 1h";

    private static byte[] Numbered(int sequence)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(payload, sequence);
        return payload;
    }

    private static int Number(object message) => BinaryPrimitives.ReadInt32LittleEndian(Assert.IsType<byte[]>(message));

    private async Task<Akka.TestKit.TestProbe> SubscribedAsync(string topic)
    {
        var probe = CreateTestProbe();
        Hub.Router.Tell(new TopicRouter.Subscribe(topic, probe.Ref), probe.Ref);
        await probe.ExpectMsgAsync<TopicRouter.SubscribeAck>();
        return probe;
    }

    private TopicCounters Counters(string topic)
    {
        Assert.True(Hub.Topics.TryGet(topic, out var counters));
        return counters;
    }

    [Fact]
    public async Task Publisher_must_deliver_itself_once_the_router_offers_a_route_and_count_every_message()
    {
        var subscriber = await SubscribedAsync("direct/first");
        var publisher = GeckoHubExtension.Get(Sys).Publisher("direct/first");

        // The first publication passes the router, which then offers the route.
        publisher.Publish(Numbered(0));
        Assert.Equal(0, Number((await subscriber.ExpectMsgAsync<TopicRouter.TopicMessage>()).Message));
        await AwaitConditionAsync(() => Task.FromResult(Counters("direct/first").DirectRoute is not null), Timeout);

        for (var i = 1; i < 1000; i++) publisher.Publish(Numbered(i));

        for (var i = 1; i < 1000; i++) Assert.Equal(i, Number((await subscriber.ExpectMsgAsync<TopicRouter.TopicMessage>(Timeout)).Message));
        var stats = await StatsUntilAsync(s => s.Topic("direct/first")?.Messages == 1000, "every message counted");
        Assert.Equal(8000, stats.Topic("direct/first")!.Bytes);
    }

    [Fact]
    public async Task Publisher_must_keep_every_subscribers_order_while_subscriptions_change_under_a_flood()
    {
        const int Count = 20_000;
        var first = await SubscribedAsync("direct/flood");
        var publisher = GeckoHubExtension.Get(Sys).Publisher("direct/flood");
        Akka.TestKit.TestProbe? second = null;

        // Subscriptions that come and go take the publisher off its direct route and back, many times over.
        var churn = CreateTestProbe();
        for (var i = 0; i < Count; i++)
        {
            publisher.Publish(Numbered(i));
            if (i == Count / 4)
            {
                second = CreateTestProbe();
                Hub.Router.Tell(new TopicRouter.Subscribe("direct/flood", second.Ref), second.Ref);
            }
            if (i % 1000 == 500) Hub.Router.Tell(new TopicRouter.Subscribe("direct/flood", churn.Ref), churn.Ref);
            if (i % 1000 == 999) Hub.Router.Tell(new TopicRouter.Unsubscribe("direct/flood", churn.Ref), churn.Ref);
        }

        for (var i = 0; i < Count; i++) Assert.Equal(i, Number((await first.ExpectMsgAsync<TopicRouter.TopicMessage>(Timeout)).Message));
        await second!.ExpectMsgAsync<TopicRouter.SubscribeAck>(Timeout);
        // The second gets what was published after it subscribed: a gap-free, in-order run that ends with the last one.
        var next = -1;
        while (next != Count - 1)
        {
            var number = Number((await second.ExpectMsgAsync<TopicRouter.TopicMessage>(Timeout)).Message);
            if (next >= 0) Assert.Equal(next + 1, number);
            next = number;
        }
        await StatsUntilAsync(s => s.Topic("direct/flood")?.Messages == Count, "every message counted once");
        Assert.False(first.HasMessages);
    }

    [Fact]
    public async Task Publisher_must_go_through_the_router_while_a_zeromq_subscriber_wants_the_topic()
    {
        var inProcess = await SubscribedAsync("direct/shared");
        var publisher = GeckoHubExtension.Get(Sys).Publisher("direct/shared");
        publisher.Publish(Numbered(-1));
        await inProcess.ExpectMsgAsync<TopicRouter.TopicMessage>();
        await AwaitConditionAsync(() => Task.FromResult(Counters("direct/shared").DirectRoute is not null), Timeout);
        using var outside = ZeroMqNodes.Subscriber(Hub.OutAddress, "direct/shared", ZeroMqNodes.ControlPrefix);

        // Until the router knows the ZeroMQ subscriber, probes through it may not reach it; once one does, all will.
        var deadline = DateTime.UtcNow + Timeout;
        do
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("No in-process probe reached the ZeroMQ subscriber.");
            Hub.Router.Tell(new TopicRouter.Publish(ZeroMqNodes.ProbeTopic(0), Array.Empty<byte>()));
        }
        while (outside.TryReceive(TimeSpan.FromMilliseconds(20)) is not { IsControl: true });
        Assert.Null(Counters("direct/shared").DirectRoute);

        for (var i = 0; i < 500; i++) publisher.Publish(Numbered(i));
        Hub.Router.Tell(new TopicRouter.Publish(ZeroMqNodes.EndTopic(0), Array.Empty<byte>()));

        var received = outside.ReceiveUntilEnd(1, Timeout);
        Assert.Equal(Enumerable.Range(0, 500), received.Select(r => BinaryPrimitives.ReadInt32LittleEndian(r.Payload)));
        var seen = new List<int>();
        while (seen.Count < 500) seen.Add(Number((await inProcess.ExpectMsgAsync<TopicRouter.TopicMessage>(Timeout)).Message));
        Assert.Equal(Enumerable.Range(0, 500), seen);
        Assert.False(inProcess.HasMessages);
        Assert.Null(Counters("direct/shared").DirectRoute);
    }

    [Fact]
    public void Counters_must_never_show_bytes_without_their_message_while_publishers_count_at_once()
    {
        const int PerWriter = 200_000;
        var counters = new TopicCounters("direct/counted");
        var writers = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < PerWriter; i++) counters.CountDirect(7);
        })).ToArray();
        foreach (var writer in writers) writer.Start();

        var reads = 0;
        while (writers.Any(w => w.IsAlive) && reads < 10_000_000)
        {
            var (messages, bytes) = counters.Read();
            Assert.True(bytes <= messages * 7, $"{bytes} bytes counted for {messages} messages of 7");
            reads++;
        }
        foreach (var writer in writers) Assert.True(writer.Join(Timeout));

        Assert.Equal((3L * PerWriter, 21L * PerWriter), counters.Read());
        Assert.Equal(3L * PerWriter, counters.LocalMessages);
        Assert.Equal(21L * PerWriter, counters.LocalBytes);
    }
}
