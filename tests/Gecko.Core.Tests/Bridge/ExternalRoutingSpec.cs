using System.Buffers.Binary;
using System.Text;
using Xunit;

namespace Gecko.Core.Tests.Bridge;

/// <summary>External publishers → hub → external subscribers over real sockets: prefixes, exactly once, order.</summary>
public sealed class ExternalRoutingSpec : HubSpec
{
    private const int MessagesPerTopic = 400;

    private static readonly string[] Topics = ["robot", "robot/imu", "robot/cmd", "camera/image", "camera2", "log"];

    /// <summary>A payload naming its publisher, topic and sequence number (the sequence runs across topics).</summary>
    private static byte[] Payload(int publisher, int topic, int sequence)
    {
        var payload = new byte[12 + topic % 3 * 10]; // sizes differ per topic
        BinaryPrimitives.WriteInt32LittleEndian(payload, publisher);
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4), topic);
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(8), sequence);
        return payload;
    }

    private static (int Publisher, int Topic, int Sequence) Parse(byte[] payload) => (
        BinaryPrimitives.ReadInt32LittleEndian(payload),
        BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(4)),
        BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(8)));

    [Fact]
    public async Task Hub_must_deliver_every_matching_message_exactly_once_in_each_publishers_order()
    {
        string[][] subscriptions =
        [
            ["robot/"],              // two of the robot topics, not "robot" itself
            ["robot/imu", "robot"],  // overlapping prefixes: still each message once
            [""],                    // everything
            ["camera"],              // camera/image and camera2
            ["nobody"],              // nothing
        ];
        var publishers = Enumerable.Range(0, 3).Select(_ => ZeroMqNodes.Publisher(Hub.InAddress)).ToArray();
        var subscribers = subscriptions.Select(prefixes => ZeroMqNodes.Subscriber(Hub.OutAddress, prefixes)).ToArray();
        try
        {
            ZeroMqNodes.Handshake(publishers, subscribers, Timeout);

            // Interleave publishers and topics; each publisher numbers its messages across all topics.
            var sent = new List<(int Publisher, int Topic, int Sequence)>();
            var sequence = new int[publishers.Length];
            for (var round = 0; round < MessagesPerTopic; round++)
            for (var t = 0; t < Topics.Length; t++)
            for (var p = 0; p < publishers.Length; p++)
            {
                publishers[p].Send(Topics[t], Payload(p, t, sequence[p]));
                sent.Add((p, t, sequence[p]++));
            }
            for (var p = 0; p < publishers.Length; p++) publishers[p].Send(ZeroMqNodes.EndTopic(p), []);

            for (var s = 0; s < subscribers.Length; s++)
            {
                var received = subscribers[s].ReceiveUntilEnd(publishers.Length, Timeout);
                var prefixes = subscriptions[s];
                for (var p = 0; p < publishers.Length; p++)
                {
                    var expected = sent.Where(m => m.Publisher == p && prefixes.Any(prefix => Topics[m.Topic].StartsWith(prefix, StringComparison.Ordinal)))
                        .Select(m => (Topics[m.Topic], m.Sequence)).ToList();
                    var got = received.Select(r => (r.Topic, Message: Parse(r.Payload)))
                        .Where(r => r.Message.Publisher == p)
                        .Select(r =>
                        {
                            Assert.Equal(Topics[r.Message.Topic], r.Topic); // the payload arrived under its own topic
                            return (r.Topic, r.Message.Sequence);
                        }).ToList();
                    // Equal lists: nothing lost, nothing twice, nothing extra, and in the publisher's order.
                    Assert.True(expected.SequenceEqual(got),
                        $"Subscriber [{string.Join(", ", prefixes)}] from publisher {p}: expected {expected.Count} messages, got {got.Count}; " +
                        $"first difference at {expected.Zip(got).TakeWhile(x => x.First == x.Second).Count()}.");
                }
                Assert.Equal(received.Count, received.Select(r => Parse(r.Payload)).Distinct().Count());
            }
            Assert.Empty(subscribers[4].ReceiveUntilEnd(0, Timeout));

            // The hub counted every message on its topic, payload bytes included.
            var stats = await StatsUntilAsync(s => Topics.All(t => s.Topic(t)?.Messages == publishers.Length * MessagesPerTopic), "all data counted");
            for (var t = 0; t < Topics.Length; t++)
            {
                var topic = stats.Topic(Topics[t])!;
                Assert.Equal((long)publishers.Length * MessagesPerTopic * Payload(0, t, 0).Length, topic.Bytes);
                Assert.True(topic.ExternalSubscribers, $"{Topics[t]} has matching external subscribers");
            }
            Assert.Equal(0, stats.MalformedTotal);
        }
        finally
        {
            foreach (var socket in publishers) socket.Dispose();
            foreach (var socket in subscribers) socket.Dispose();
        }
    }

    [Fact]
    public async Task Hub_must_stop_routing_to_a_subscriber_that_left_and_count_external_interest()
    {
        using var publisher = ZeroMqNodes.Publisher(Hub.InAddress);
        using var staying = ZeroMqNodes.Subscriber(Hub.OutAddress, "a/");
        var leaving = ZeroMqNodes.Subscriber(Hub.OutAddress, "b/");
        ZeroMqNodes.Handshake([publisher], [staying, leaving], Timeout);
        publisher.Send("b/x", Encoding.UTF8.GetBytes("first"));
        await StatsUntilAsync(s => s.Topic("b/x") is { ExternalSubscribers: true, Messages: 1 }, "interest in b/x");

        leaving.Dispose();

        // The hub hears the unsubscription when the connection goes; the topic loses its external interest.
        await StatsUntilAsync(s => s.Topic("b/x") is { ExternalSubscribers: false }, "no interest in b/x after the subscriber left");
        publisher.Send("a/y", Encoding.UTF8.GetBytes("second"));
        publisher.Send(ZeroMqNodes.EndTopic(0), []);
        var received = staying.ReceiveUntilEnd(1, Timeout);
        Assert.Equal(["a/y"], received.Select(r => r.Topic));
    }
}
