using Gecko.Core.Bridge.Internal;
using NetMQ;
using NetMQ.Sockets;
using Xunit;

namespace Gecko.Core.Tests.Bridge.Internal;

/// <summary>
/// An XPUB with three subscribers over inproc://, all in the test's thread, so the test decides who reads when: one
/// keeps up, one never reads until the end, one subscribes to another topic and never reads. Every message a
/// subscriber missed must be counted, on its topic, and nothing else: received + counted = sent, per subscriber.
/// </summary>
public sealed class NetMqDropCounterTests : IDisposable
{
    private const int HighWaterMark = 1000;
    private readonly XPublisherSocket _publisher = new();
    private readonly SubscriberSocket _fast = new();
    private readonly SubscriberSocket _slow = new();
    private readonly SubscriberSocket _other = new();
    private readonly byte[] _topic = "t/a"u8.ToArray();
    private readonly byte[] _otherTopic = "o"u8.ToArray();

    public NetMqDropCounterTests()
    {
        var endpoint = $"inproc://drops-{Guid.NewGuid():N}";
        _publisher.Options.SendHighWatermark = HighWaterMark;
        _publisher.Options.Linger = TimeSpan.Zero;
        _publisher.Bind(endpoint);
        foreach (var subscriber in new[] { _fast, _slow, _other })
        {
            // The fast subscriber's pipe has no limit (over inproc a limit of 0 on either side lifts it): the writer
            // hears of its reads only every few hundred messages, and late when NetMQ throttles its command polling,
            // so a bounded pipe could take itself for full while its reader keeps up.
            subscriber.Options.ReceiveHighWatermark = subscriber == _fast ? 0 : 1;
            subscriber.Options.Linger = TimeSpan.Zero;
            subscriber.Connect(endpoint);
        }
        _fast.Subscribe("t/");
        // Two prefixes of the topic: the trie names this pipe twice, and it still misses each message once.
        _slow.Subscribe("t");
        _slow.Subscribe("t/a");
        _other.Subscribe(_otherTopic);
        // Each unique subscription reaches the XPUB once its pipe is attached: "t/", "t", "t/a", "o".
        for (var i = 0; i < 4; i++)
            Assert.True(_publisher.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out _), "a subscription never reached the XPUB");
    }

    /// <summary>Sends one message the way the bridge does, counting who missed it; returns that count.</summary>
    private static int Send(XPublisherSocket publisher, NetMqDropCounter drops, byte[] topic, int sequence)
    {
        var full = drops.FullPipes;
        Assert.True(publisher.TrySendFrame(TimeSpan.Zero, topic, more: true));
        var missed = (full | drops.FullPipes) != 0 ? drops.Missed(topic) : 0;
        Assert.True(publisher.TrySendFrame(TimeSpan.Zero, BitConverter.GetBytes(sequence)));
        return missed;
    }

    /// <summary>Reads every message waiting for <paramref name="subscriber"/>; their sequence numbers in order.</summary>
    private static List<int> ReadAll(SubscriberSocket subscriber)
    {
        var sequences = new List<int>();
        // Bounded: at most everything the test sent, and each wait ends after 200 ms without a message.
        while (sequences.Count <= 100_000 && subscriber.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(200), out _))
            sequences.Add(BitConverter.ToInt32(subscriber.ReceiveFrameBytes()));
        return sequences;
    }

    [Fact]
    public void Missed_SubscribersThatStopReading_CountsExactlyTheMessagesEachMissed()
    {
        Assert.True(NetMqDropCounter.IsSupported, "NetMQ's internals changed: see NetMqDropCounter");
        var drops = NetMqDropCounter.TryCreate(_publisher);
        Assert.NotNull(drops);

        // The subscriber of "o" fills up first, so later messages on "t/a" travel while one pipe is full (the counter's
        // slow path): that full pipe does not subscribe to "t/a" and must not be counted for it.
        long missedOther = 0;
        const int otherSent = 3 * HighWaterMark;
        for (var i = 0; i < otherSent; i++) missedOther += Send(_publisher, drops, _otherTopic, i);

        long missedTopic = 0;
        var fastReceived = new List<int>();
        const int batches = 40, batch = 250;
        for (var b = 0; b < batches; b++)
        {
            for (var i = 0; i < batch; i++) missedTopic += Send(_publisher, drops, _topic, b * batch + i);
            // The fast subscriber reads each batch before the next: its queue never comes near the high-water mark.
            while (fastReceived.Count < (b + 1) * batch && _fast.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out _))
                fastReceived.Add(BitConverter.ToInt32(_fast.ReceiveFrameBytes()));
        }

        var slowReceived = ReadAll(_slow);
        var otherReceived = ReadAll(_other);
        const int topicSent = batches * batch;
        Assert.Equal(Enumerable.Range(0, topicSent), fastReceived);
        Assert.False(drops.IsBroken);
        Assert.True(slowReceived.Count < topicSent, $"the slow subscriber received all {topicSent}: nothing was dropped to count");
        Assert.Equal(topicSent - slowReceived.Count, missedTopic);
        Assert.Equal(otherSent - otherReceived.Count, missedOther);
        // What a full queue took is the oldest: the slow subscriber has a prefix of the sequence.
        Assert.Equal(Enumerable.Range(0, slowReceived.Count), slowReceived);
    }

    [Fact]
    public void Missed_EverySubscriberKeepsUp_TheFastPathSeesNoFullPipe()
    {
        var drops = NetMqDropCounter.TryCreate(_publisher)!;
        // Fewer messages than the slow subscriber's pipe holds: it never fills, however late its reads are reported.
        for (var i = 0; i < HighWaterMark / 2; i++)
        {
            Assert.Equal(0, Send(_publisher, drops, _topic, i));
            Assert.Equal(0, drops.FullPipes);
            Assert.True(_fast.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out _));
            _fast.ReceiveFrameBytes();
            Assert.True(_slow.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out _));
            _slow.ReceiveFrameBytes();
        }
    }

    [Fact]
    public void TryCreate_SocketWithoutADistributor_ReturnsNullSoTheBridgeRunsWithoutCounting()
    {
        using var subscriber = new SubscriberSocket();
        using var pull = new PullSocket();

        Assert.Null(NetMqDropCounter.TryCreate(subscriber));
        Assert.Null(NetMqDropCounter.TryCreate(pull));
    }

    public void Dispose()
    {
        _fast.Dispose();
        _slow.Dispose();
        _other.Dispose();
        _publisher.Dispose();
    }
}
