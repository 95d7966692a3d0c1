using System.Buffers.Binary;
using System.Text;
using Gecko.Core.Routing;
using NetMQ;
using NetMQ.Sockets;
using Xunit;

namespace Gecko.Core.Tests.Bridge;

/// <summary>
/// Malformed input is dropped and counted by reason, exactly, while valid traffic from other publishers keeps being
/// delivered in full; the hub never crashes or stalls.
/// </summary>
public sealed class MalformedInputSpec : HubSpec
{
    private const int MaxPayload = 1024;

    protected override string HubConfig => $"""
        max-payload-size = {MaxPayload} B
        frame-size-margin = 16 KiB
        max-topics = 40
        """;

    private static byte[] Sequence(int i)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(payload, i);
        return payload;
    }

    private static void SendFrames(PublisherSocket publisher, IReadOnlyList<byte[]> frames)
    {
        for (var i = 0; i < frames.Count - 1; i++) publisher.SendFrame(frames[i], more: true);
        publisher.SendFrame(frames[^1]);
    }

    /// <summary>Starts a valid publisher (id 0), a garbage publisher (id 1) and a subscriber of "valid/", all connected.</summary>
    private async Task<(PublisherSocket Valid, PublisherSocket Garbage, SubscriberSocket Subscriber)> ConnectNodesAsync()
    {
        var valid = ZeroMqNodes.Publisher(Hub.InAddress);
        var garbage = ZeroMqNodes.Publisher(Hub.InAddress);
        var subscriber = ZeroMqNodes.Subscriber(Hub.OutAddress, "valid/");
        ZeroMqNodes.Handshake([valid, garbage], [subscriber], Timeout);
        await ConnectAsync(garbage, 1);
        return (valid, garbage, subscriber);
    }

    /// <summary>Every valid message arrived once and in order, and nothing else on "valid/".</summary>
    private void AssertValidDelivered(SubscriberSocket subscriber, int count)
    {
        var received = subscriber.ReceiveUntilEnd(2, Timeout);
        Assert.Equal(count, received.Count);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal("valid/t", received[i].Topic);
            Assert.Equal(Sequence(i), received[i].Payload);
        }
    }

    [Fact]
    public async Task Hub_must_count_each_kind_of_malformed_message_and_keep_forwarding_valid_ones()
    {
        var (valid, garbage, subscriber) = await ConnectNodesAsync();
        using (valid)
        using (garbage)
        using (subscriber)
        {
            var ok = new byte[] { 1 };
            List<byte[]>[] wrongFrameCount =
            [
                [Encoding.UTF8.GetBytes("lonely")],                            // one frame
                [[]],                                                          // one empty frame
                [Encoding.UTF8.GetBytes("a"), ok, ok],                         // three frames
                [Encoding.UTF8.GetBytes("a"), ok, ok, ok, ok],                 // five frames
            ];
            List<byte[]>[] badTopic =
            [
                [[], ok],                                                      // empty topic
                [new byte[256].Select(_ => (byte)'x').ToArray(), ok],          // 256 bytes
                [[0xC3, 0x28], ok],                                            // invalid UTF-8 sequence
                [[(byte)'t', 0xFF, (byte)'t'], ok],                            // a byte UTF-8 never has
                [[0xED, 0xA0, 0x80], ok],                                      // an encoded surrogate
            ];
            List<byte[]>[] tooLarge =
            [
                [Encoding.UTF8.GetBytes("big"), new byte[MaxPayload + 1]],
                [Encoding.UTF8.GetBytes("big"), new byte[MaxPayload + 5000]],
            ];
            List<byte[]>[] atTheLimits =                                        // valid: counted as traffic
            [
                [Encoding.UTF8.GetBytes(new string('y', 255)), ok],             // 255-byte topic
                [Encoding.UTF8.GetBytes("big"), new byte[MaxPayload]],         // exactly the maximum payload
                [Encoding.UTF8.GetBytes("größe/ß"), []],                       // UTF-8 topic, empty payload
            ];
            var count = 0;
            foreach (var message in wrongFrameCount.Concat(badTopic).Concat(tooLarge).Concat(atTheLimits))
            {
                SendFrames(garbage, message);
                valid.Send("valid/t", Sequence(count++));
            }
            var stats = await DrainAsync(garbage, 1);
            await DrainAsync(valid, 0);

            AssertValidDelivered(subscriber, count);
            stats = await Hub.GetStatsAsync();
            Assert.Equal(wrongFrameCount.Length, stats.Malformed[MalformedReason.WrongFrameCount]);
            Assert.Equal(badTopic.Length, stats.Malformed[MalformedReason.BadTopic]);
            Assert.Equal(tooLarge.Length, stats.Malformed[MalformedReason.PayloadTooLarge]);
            Assert.Equal(0, stats.Malformed[MalformedReason.TooManyTopics]);
            Assert.Equal(wrongFrameCount.Length + badTopic.Length + tooLarge.Length, stats.MalformedTotal);
            Assert.Equal(1, stats.Topic(new string('y', 255))!.Messages);
            Assert.Equal(MaxPayload, stats.Topic("big")!.Bytes);
            Assert.Equal(1, stats.Topic("größe/ß")!.Messages);
            Assert.Equal(count, stats.Topic("valid/t")!.Messages);
        }
    }

    [Fact]
    public async Task Hub_must_count_messages_on_topics_beyond_max_topics_as_malformed()
    {
        using var publisher = ZeroMqNodes.Publisher(Hub.InAddress);
        await ConnectAsync(publisher, 0);
        var known = (await DrainAsync(publisher, 0)).Topics.Count; // the probe and the end marker

        var room = 40 - known;
        for (var i = 0; i < room + 5; i++) publisher.Send($"many/{i}", [1]);
        for (var i = 0; i < room + 5; i++) publisher.Send($"many/{i}", [2]); // known ones count, new ones still drop
        var stats = await DrainAsync(publisher, 0);

        Assert.Equal(10, stats.Malformed[MalformedReason.TooManyTopics]);
        Assert.Equal(40, stats.Topics.Count);
        Assert.All(Enumerable.Range(0, room), i => Assert.Equal(2, stats.Topic($"many/{i}")!.Messages));
        Assert.Null(stats.Topic($"many/{room}"));
    }

    [Fact]
    public async Task Hub_must_drop_ten_thousand_random_malformed_messages_exactly_while_valid_traffic_flows()
    {
        var (valid, garbage, subscriber) = await ConnectNodesAsync();
        using (valid)
        using (garbage)
        using (subscriber)
        {
            var random = new Random(20240611);
            var expected = new Dictionary<MalformedReason, long>();
            var validCount = 0;
            for (var i = 0; i < 10_000; i++)
            {
                var (frames, reason) = RandomMalformed(random);
                SendFrames(garbage, frames);
                expected[reason] = expected.GetValueOrDefault(reason) + 1;
                if (i % 10 == 0) valid.Send("valid/t", Sequence(validCount++));
            }
            await DrainAsync(garbage, 1);
            await DrainAsync(valid, 0);

            AssertValidDelivered(subscriber, validCount);
            // The hub still answers, with every bad message counted under its reason and none taken for a topic.
            var stats = await Hub.GetStatsAsync();
            foreach (var reason in Enum.GetValues<MalformedReason>())
                Assert.Equal(expected.GetValueOrDefault(reason), stats.Malformed[reason]);
            Assert.Equal(10_000, stats.MalformedTotal);
            // A payload too large is dropped before its topic is looked up: "garbage/known" is never taken for a topic.
            Assert.Equal(["valid/t"], stats.Topics.Select(t => t.Topic).Where(t => !t.StartsWith(ZeroMqNodes.ControlPrefix)));
        }
    }

    /// <summary>One random message with exactly one defect, and the reason the hub must count it under.</summary>
    private static (List<byte[]> Frames, MalformedReason Reason) RandomMalformed(Random random)
    {
        byte[] Bytes(int min, int max)
        {
            var bytes = new byte[random.Next(min, max + 1)];
            random.NextBytes(bytes);
            return bytes;
        }

        var pick = random.Next(100);
        if (pick < 60)
        {
            // Wrong frame count: one frame, or three to eight, of random bytes.
            var frames = random.Next(7) is var n && n == 0 ? 1 : n + 2;
            return (Enumerable.Range(0, frames).Select(_ => Bytes(0, 40)).ToList(), MalformedReason.WrongFrameCount);
        }
        if (pick < 68) return ([[], Bytes(0, 40)], MalformedReason.BadTopic);
        if (pick < 76) return ([Bytes(256, 400), Bytes(0, 40)], MalformedReason.BadTopic);
        if (pick < 90)
        {
            var topic = Bytes(1, 60);
            topic[random.Next(topic.Length)] = 0xFF; // never valid in UTF-8
            return ([topic, Bytes(0, 40)], MalformedReason.BadTopic);
        }
        return ([Encoding.UTF8.GetBytes("garbage/known"), Bytes(MaxPayload + 1, 4 * MaxPayload)], MalformedReason.PayloadTooLarge);
    }

    [Fact]
    public async Task Hub_must_disconnect_a_peer_sending_a_frame_beyond_the_margin_and_keep_serving_the_others()
    {
        var (valid, garbage, subscriber) = await ConnectNodesAsync();
        using (valid)
        using (garbage)
        using (subscriber)
        {
            // Far beyond max-payload-size + frame-size-margin: ZeroMQ refuses the frame and drops that connection,
            // so a hostile peer cannot make the hub allocate it.
            garbage.Send("huge", new byte[4 << 20]);
            for (var i = 0; i < 100; i++) valid.Send("valid/t", Sequence(i));
            valid.Send(ZeroMqNodes.EndTopic(0), []);
            await ConnectAsync(garbage, 1); // it reconnects and is served again
            garbage.Send(ZeroMqNodes.EndTopic(1), []);

            AssertValidDelivered(subscriber, 100);
            var stats = await Hub.GetStatsAsync();
            Assert.Null(stats.Topic("huge"));
            Assert.Equal(100, stats.Topic("valid/t")!.Messages);
        }
    }
}
