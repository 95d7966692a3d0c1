using System.Buffers.Binary;
using Akka.Actor;
using Gecko.Core.Messages;
using Gecko.Core.Routing;
using Xunit;

namespace Gecko.Core.Tests.Routing;

/// <summary>The router between in-process nodes and the bridge: publish and subscribe in process, to and from outside.</summary>
public sealed class TopicRouterSpec : HubSpec
{
    private const int Count = 500;

    private static Imu ImuNumber(int sequence) => new(new Vector(0, 0, 9.81), new Vector(0.01, 0.02, 0.03), new Vector(20, -5, 40), sequence);

    private static byte[] Numbered(byte kind, int sequence)
    {
        var payload = new byte[5];
        payload[0] = kind;
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(1), sequence);
        return payload;
    }

    private const byte Probe = 0, Data = 1, Last = 2;

    [Fact]
    public async Task Router_must_deliver_in_process_publications_to_external_subscribers_encoded_once_in_order()
    {
        using var subscriber = ZeroMqNodes.Subscriber(Hub.OutAddress, "imu");
        // The router learns of external subscriptions in the order the subscriber sent them: once a control probe
        // published in process arrives, the router knows of "imu" too.
        var deadline = DateTime.UtcNow + Timeout;
        do
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("No in-process probe reached the external subscriber.");
            Hub.Router.Tell(new TopicRouter.Publish(ZeroMqNodes.ProbeTopic(0), Array.Empty<byte>()));
        }
        while (subscriber.TryReceive(TimeSpan.FromMilliseconds(20)) is not { IsControl: true });

        for (var i = 0; i < Count; i++) Hub.Router.Tell(new TopicRouter.Publish("imu", ImuNumber(i)));
        Hub.Router.Tell(new TopicRouter.Publish(ZeroMqNodes.EndTopic(0), Array.Empty<byte>()));
        var received = subscriber.ReceiveUntilEnd(1, Timeout);

        Assert.Equal(Count, received.Count);
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal("imu", received[i].Topic);
            Assert.Equal(GeckoSerializer.Encode(ImuNumber(i)), received[i].Payload);
        }
        var stats = await Hub.GetStatsAsync();
        Assert.Equal(Count, stats.Topic("imu")!.Messages);
        Assert.Equal(Count * (long)GeckoSerializer.Encode(ImuNumber(0)).Length, stats.Topic("imu")!.Bytes);
    }

    [Fact]
    public async Task Router_must_deliver_external_publications_to_in_process_subscriber_actors_in_order()
    {
        var probe = CreateTestProbe();
        Hub.Router.Tell(new TopicRouter.Subscribe("sensor/range", probe.Ref), probe.Ref);
        await probe.ExpectMsgAsync<TopicRouter.SubscribeAck>();
        using var publisher = ZeroMqNodes.Publisher(Hub.InAddress);

        // Publish probes until one arrives: the publisher is connected.
        var deadline = DateTime.UtcNow + Timeout;
        do
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("No probe reached the in-process subscriber.");
            publisher.Send("sensor/range", Numbered(Probe, 0));
        }
        while (await probe.ReceiveOneAsync(TimeSpan.FromMilliseconds(20)) is null);

        for (var i = 0; i < Count; i++) publisher.Send("sensor/range", Numbered(Data, i));
        publisher.Send("sensor/range", Numbered(Last, 0));

        var next = 0;
        while (true)
        {
            var message = await probe.ExpectMsgAsync<TopicRouter.TopicMessage>(Timeout);
            Assert.Equal("sensor/range", message.Topic);
            var payload = Assert.IsType<byte[]>(message.Message);
            if (payload[0] == Probe) continue; // probes still in flight from the handshake
            if (payload[0] == Last) break;
            Assert.Equal(Numbered(Data, next++), payload);
        }
        Assert.Equal(Count, next); // every one, once, in order, and nothing after the last
    }

    [Fact]
    public async Task Router_must_hand_in_process_subscribers_the_published_instance_itself()
    {
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        foreach (var probe in new[] { first, second })
        {
            Hub.Router.Tell(new TopicRouter.Subscribe("pose", probe.Ref), probe.Ref);
            await probe.ExpectMsgAsync<TopicRouter.SubscribeAck>();
        }
        var pose = new Pose(new Vector(1, 2, 3), new Quaternion(1, 0, 0, 0));

        Hub.Router.Tell(new TopicRouter.Publish("pose", pose));

        Assert.Same(pose, (await first.ExpectMsgAsync<TopicRouter.TopicMessage>()).Message);
        Assert.Same(pose, (await second.ExpectMsgAsync<TopicRouter.TopicMessage>()).Message);
        var stats = await Hub.GetStatsAsync();
        Assert.Equal(1, stats.Topic("pose")!.Messages);
        Assert.Equal(2, stats.Topic("pose")!.LocalSubscribers);
    }

    [Fact]
    public async Task Router_must_count_in_process_typed_messages_at_their_encoded_size_though_none_is_encoded_for_delivery()
    {
        var probe = CreateTestProbe();
        Hub.Router.Tell(new TopicRouter.Subscribe("odom", probe.Ref), probe.Ref);
        await probe.ExpectMsgAsync<TopicRouter.SubscribeAck>();
        var pose = new Pose(new Vector(1, 2, 3), new Quaternion(1, 0, 0, 0));

        for (var i = 0; i < Count; i++) Hub.Router.Tell(new TopicRouter.Publish("odom", pose));

        for (var i = 0; i < Count; i++) Assert.Same(pose, (await probe.ExpectMsgAsync<TopicRouter.TopicMessage>()).Message);
        var stats = await Hub.GetStatsAsync();
        Assert.Equal(Count, stats.Topic("odom")!.Messages);
        Assert.Equal(Count * (long)GeckoSerializer.Encode(pose).Length, stats.Topic("odom")!.Bytes);
    }

    [Fact]
    public async Task Router_must_forget_subscribers_that_unsubscribe_or_stop()
    {
        var leaving = CreateTestProbe();
        var stopping = CreateTestProbe();
        foreach (var probe in new[] { leaving, stopping })
        {
            Hub.Router.Tell(new TopicRouter.Subscribe("cmd", probe.Ref), probe.Ref);
            await probe.ExpectMsgAsync<TopicRouter.SubscribeAck>();
        }

        Hub.Router.Tell(new TopicRouter.Unsubscribe("cmd", leaving.Ref), leaving.Ref);
        await leaving.ExpectMsgAsync<TopicRouter.UnsubscribeAck>();
        Assert.Equal(1, (await Hub.GetStatsAsync()).Topic("cmd")!.LocalSubscribers);
        Watch(stopping.Ref);
        Sys.Stop(stopping.Ref);
        await ExpectTerminatedAsync(stopping.Ref);

        await StatsUntilAsync(s => s.Topic("cmd")!.LocalSubscribers == 0, "the stopped subscriber forgotten");
        var witness = CreateTestProbe();
        Hub.Router.Tell(new TopicRouter.Subscribe("cmd", witness.Ref), witness.Ref);
        await witness.ExpectMsgAsync<TopicRouter.SubscribeAck>();
        Hub.Router.Tell(new TopicRouter.Publish("cmd", new byte[] { 1 }));

        // The router tells all subscribers of a publication in one step: once the witness has it, nobody else will.
        await witness.ExpectMsgAsync<TopicRouter.TopicMessage>();
        Assert.False(leaving.HasMessages);
    }

    [Fact]
    public async Task Router_must_follow_subscriptions_that_come_and_go_after_a_topic_was_published_on()
    {
        // Published on with nobody listening: the router knows the topic (and keeps what it needs to publish on it).
        Hub.Router.Tell(new TopicRouter.Publish("late", new byte[] { 0 }));
        await StatsUntilAsync(s => s.Topic("late")?.Messages == 1, "the first message counted");
        var first = CreateTestProbe();
        Hub.Router.Tell(new TopicRouter.Subscribe("late", first.Ref), first.Ref);
        await first.ExpectMsgAsync<TopicRouter.SubscribeAck>();

        Hub.Router.Tell(new TopicRouter.Publish("late", new byte[] { 1 }));
        Assert.Equal(new byte[] { 1 }, (await first.ExpectMsgAsync<TopicRouter.TopicMessage>()).Message);

        // The last subscriber leaves, another comes: the new one receives, the one that left does not.
        Hub.Router.Tell(new TopicRouter.Unsubscribe("late", first.Ref), first.Ref);
        await first.ExpectMsgAsync<TopicRouter.UnsubscribeAck>();
        Hub.Router.Tell(new TopicRouter.Publish("late", new byte[] { 2 }));
        var second = CreateTestProbe();
        Hub.Router.Tell(new TopicRouter.Subscribe("late", second.Ref), second.Ref);
        await second.ExpectMsgAsync<TopicRouter.SubscribeAck>();
        Hub.Router.Tell(new TopicRouter.Publish("late", new byte[] { 3 }));

        Assert.Equal(new byte[] { 3 }, (await second.ExpectMsgAsync<TopicRouter.TopicMessage>()).Message);
        Assert.False(first.HasMessages);
        Assert.Equal(4, (await Hub.GetStatsAsync()).Topic("late")!.Messages);
    }

    [Fact]
    public async Task Router_must_answer_a_subscription_beyond_max_topics_with_a_failure_and_keep_running()
    {
        var hub = await StartHubAsync("max-topics = 2");
        var probe = CreateTestProbe();
        hub.Router.Tell(new TopicRouter.Subscribe("one", probe.Ref), probe.Ref);
        hub.Router.Tell(new TopicRouter.Subscribe("two", probe.Ref), probe.Ref);
        await probe.ExpectMsgAsync<TopicRouter.SubscribeAck>();
        await probe.ExpectMsgAsync<TopicRouter.SubscribeAck>();

        hub.Router.Tell(new TopicRouter.Subscribe("three", probe.Ref), probe.Ref);

        var failure = await probe.ExpectMsgAsync<Status.Failure>();
        Assert.Contains("max-topics", failure.Cause.Message);
        // Still the same router, with its subscriptions: a publication on "one" reaches the probe.
        hub.Router.Tell(new TopicRouter.Publish("one", new byte[] { 7 }));
        Assert.Equal(new byte[] { 7 }, (await probe.ExpectMsgAsync<TopicRouter.TopicMessage>()).Message);
    }
}
