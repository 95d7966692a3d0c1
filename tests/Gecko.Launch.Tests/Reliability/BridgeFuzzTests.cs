using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Unicode;
using Gecko.Core.Routing;
using NetMQ;
using NetMQ.Monitoring;
using NetMQ.Sockets;
using Xunit;
using Xunit.Abstractions;

namespace Gecko.Launch.Tests.Reliability;

/// <summary>
/// A million random messages at a real hub (<c>gecko launch</c> in a child process) while a valid publisher's
/// sequence flows through it to a subscriber: the hub stays up, every valid message arrives once and in order, every
/// bad message is counted under the reason the wire protocol gives it, exactly, and the hub's memory stays bounded.
/// </summary>
/// <remarks>
/// The generator knows what the hub must make of each message, because the wire protocol says it: not two frames →
/// wrong frame count; an empty or over-long topic → bad topic; a payload over max-payload-size → too large; a topic that
/// is not UTF-8 → bad topic; a new topic when max-topics are known → too many topics; core_info and gecko.query that do
/// not decode, and other gecko.* topics → bad registration, bad query, reserved topic; anything else is traffic on its
/// topic. A frame over max-payload-size + frame-size-margin (ZMQ_MAXMSGSIZE) never reaches the hub as a message:
/// ZeroMQ drops the connection that sent it. Those go over a connection of their own, one per connection, and each
/// must cost exactly that connection and nothing else.
/// </remarks>
[Collection("reliability")]
public sealed class BridgeFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int MaxPayload = 256;
    private const int Margin = 128;
    private const int MaxFrame = MaxPayload + Margin;           // ZMQ_MAXMSGSIZE of the hub's in socket
    private const int MaxTopics = 300;
    private const int FuzzMessages = 1_000_000;
    private const int ValidEvery = 10;                          // one valid message per ten random ones
    private const int ReceiveHighWaterMark = 10_000;            // per connection into the hub: bounds what a slow hub holds
    private const int Oversized = 60;                           // frames of MaxFrame+1 .. 2 × MaxPayload

    private static readonly TimeSpan Timeout = LaunchedHub.Timeout;
    private static readonly byte[] JunkMarker = [0xC1];         // a byte MessagePack never uses: no payload starting with it decodes

    private readonly List<IDisposable> _sockets = [];
    private LaunchedHub? _hub;

    [Fact]
    public async Task Hub_RandomMessagesInterleavedWithValidTraffic_CountsEachBadOneAndDeliversEveryValidOne()
    {
        Core.Bridge.Internal.NetMqFastClock.TryEnable(); // this process's NetMQ sends a million messages, as the hub's does
        // The hub's memory is bounded by what its pipes may hold: receive-high-water-mark messages per connection. At the
        // default of 100 000, a hub that falls behind on a busy machine holds up to ~100 MB of queued garbage here, so the
        // bound is set where a 64 MB growth limit is what the configuration promises, loaded machine or not.
        _hub = await LaunchedHub.StartAsync($"max-payload-size={MaxPayload} B", $"frame-size-margin={Margin} B", $"max-topics={MaxTopics}",
            $"receive-high-water-mark={ReceiveHighWaterMark}");
        var hub = _hub;

        var valid = Own(new PublisherSocket());
        valid.Options.SendHighWatermark = 0; // never drops on its side: what is lost, the hub lost
        valid.Connect(hub.InAddress);
        var garbage = Own(ConnectedXPublisher(hub.InAddress));
        var hostile = Own(ConnectedXPublisher(hub.InAddress));
        var subscriber = Own(new SubscriberSocket());
        subscriber.Options.ReceiveHighWatermark = 0;
        subscriber.Subscribe("valid/");
        subscriber.Subscribe("ctl/");
        subscriber.Connect(hub.OutAddress);

        // Handshake: probes until the subscriber sees one, then the first valid message, so "valid/t" and the control
        // topics exist before the generator starts counting the room left in the hub's topic table.
        await Handshake(valid, subscriber);
        valid.SendMoreFrame("valid/t").SendFrame(Sequence(0));
        valid.SendMoreFrame("ctl/end/valid").SendFrame([]);
        Assert.Equal(["valid/t", "ctl/end/valid"], [Encoding.UTF8.GetString(Receive(subscriber)[0]), Encoding.UTF8.GetString(Receive(subscriber)[0])]);
        garbage.SendMoreFrame("ctl/end/garbage").SendFrame([]);
        var before = await hub.StatsUntilAsync(s => s.Topic("ctl/end/garbage") is not null, "the setup's topics");
        Assert.Equal(0, before.MalformedTotal);
        var baseline = hub.Memory();

        var oracle = new Oracle(before.Topics.Concat(before.Reserved).Select(t => t.Topic), MaxTopics - (before.Topics.Count + before.Reserved.Count - 2));
        var memory = new List<long>();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                memory.Add(hub.Memory().Resident);
                try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var received = Task.Factory.StartNew(() => ReceiveValid(subscriber), TaskCreationOptions.LongRunning);
        var disconnects = Task.Factory.StartNew(() => SendOversized(hostile, new Random(7)), TaskCreationOptions.LongRunning);

        var clock = Stopwatch.StartNew();
        var sequence = await Task.Factory.StartNew(() => Fuzz(garbage, valid, oracle), TaskCreationOptions.LongRunning);
        const int sent = FuzzMessages;
        garbage.SendMoreFrame("ctl/end/garbage").SendFrame([]);
        valid.SendMoreFrame("ctl/end/valid").SendFrame([]);
        var validReceived = await received.WaitAsync(Timeout);
        var stats = await hub.StatsUntilAsync(s => s.Topic("ctl/end/garbage")?.Messages == 2 && s.Topic("ctl/end/valid")?.Messages == 2,
            "the end markers of both publishers");
        var fuzzTime = clock.Elapsed;
        var hostileDisconnects = await disconnects.WaitAsync(Timeout);
        await sampling.CancelAsync();
        await sampler;
        var after = hub.Memory();

        output.WriteLine($"{sent:N0} random messages and {sequence - 1:N0} valid ones in {fuzzTime.TotalSeconds:0.0} s " +
                         $"({(sent + sequence) / fuzzTime.TotalSeconds:N0} msgs/s); {Oversized} frames over ZMQ_MAXMSGSIZE, {hostileDisconnects} disconnects");
        output.WriteLine($"hub RSS: {baseline.Resident / 1e6:0.0} MB before, {memory.DefaultIfEmpty(0).Max() / 1e6:0.0} MB highest sampled, " +
                         $"{after.Resident / 1e6:0.0} MB after; peak (VmHWM) {after.Peak / 1e6:0.0} MB");
        output.WriteLine($"malformed: {string.Join(", ", stats.Malformed.Select(m => $"{m.Key} {m.Value:N0}"))}; traffic topics {stats.Topics.Count}");

        // The hub is alive and answered; every valid message arrived once, in order.
        Assert.False(hub.Process.HasExited);
        Assert.Equal(Enumerable.Range(0, sequence), validReceived);
        // Each bad message counted under its reason, and nothing else: the oversized frames cost their connection only.
        foreach (var reason in Enum.GetValues<MalformedReason>())
            Assert.True(oracle.Expected.GetValueOrDefault(reason) == stats.Malformed[reason],
                $"{reason}: expected {oracle.Expected.GetValueOrDefault(reason)}, the hub counted {stats.Malformed[reason]}");
        Assert.Equal(FuzzMessages, oracle.Expected.Values.Sum() + oracle.Traffic.Values.Sum() - oracle.Traffic.GetValueOrDefault("core_info"));
        foreach (var (topic, count) in oracle.Traffic)
            Assert.True(stats.Topic(topic)?.Messages == count, $"topic {topic}: expected {count}, the hub counted {stats.Topic(topic)?.Messages}");
        Assert.Equal(sequence, stats.Topic("valid/t")!.Messages);
        Assert.Equal(MaxTopics, stats.Topics.Count + stats.Reserved.Count - 2); // the table filled up, with the hub's two own topics on top
        Assert.Equal(Oversized, hostileDisconnects);
        // Bounded memory: a million messages of up to 1.5 × max-payload-size leave nothing behind but the topic table.
        Assert.True(after.Peak - baseline.Resident < 64_000_000,
            $"the hub grew from {baseline.Resident / 1e6:0.0} MB to a peak of {after.Peak / 1e6:0.0} MB");
        Assert.Equal(0, await hub.StopAsync());
    }

    private T Own<T>(T socket) where T : IDisposable
    {
        _sockets.Add(socket);
        return socket;
    }

    /// <summary>
    /// An XPUB connected to the hub's in side: it hears the hub's subscription, which says the connection is up and the
    /// hub wants everything (a PUB would drop what it sends before that, silently).
    /// </summary>
    private static XPublisherSocket ConnectedXPublisher(string address)
    {
        var socket = new XPublisherSocket();
        socket.Options.SendHighWatermark = 0;
        socket.Options.Linger = TimeSpan.FromSeconds(5);
        socket.Options.ReconnectInterval = TimeSpan.FromMilliseconds(10);
        socket.Connect(address);
        AwaitSubscription(socket);
        return socket;
    }

    private static void AwaitSubscription(XPublisherSocket socket)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The hub's subscription never reached the publisher.");
            if (socket.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(100), out var frame) && frame is [1]) return;
        }
    }

    private static async Task Handshake(PublisherSocket publisher, SubscriberSocket subscriber)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The subscriber never received a probe.");
            publisher.SendMoreFrame("ctl/probe").SendFrame([]);
            var frames = new List<byte[]>();
            if (subscriber.TryReceiveMultipartBytes(TimeSpan.FromMilliseconds(50), ref frames, 2)) break;
            await Task.Yield();
        }
        // Probes still on their way are read and left: only valid messages count from here.
        var drained = new List<byte[]>();
        while (subscriber.TryReceiveMultipartBytes(TimeSpan.FromMilliseconds(200), ref drained, 2))
            Assert.Equal("ctl/probe", Encoding.UTF8.GetString(drained[0]));
    }

    private static byte[] Sequence(int i)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(payload, i);
        return payload;
    }

    private static int ReadSequence(List<byte[]> frames) => BinaryPrimitives.ReadInt32LittleEndian(frames[1]);

    private static List<byte[]> Receive(SubscriberSocket subscriber)
    {
        List<byte[]> frames = [];
        if (!subscriber.TryReceiveMultipartBytes(Timeout, ref frames, 2)) throw new TimeoutException("Nothing arrived.");
        return frames;
    }

    /// <summary>Every valid sequence number until the valid publisher's end marker (the first one was read in the setup).</summary>
    private static List<int> ReceiveValid(SubscriberSocket subscriber)
    {
        var sequences = new List<int> { 0 };
        var frames = new List<byte[]>(2);
        var deadline = DateTime.UtcNow + 4 * Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!subscriber.TryReceiveMultipartBytes(TimeSpan.FromMilliseconds(100), ref frames, 2)) continue;
            var topic = Encoding.UTF8.GetString(frames[0]);
            if (topic == "ctl/end/valid") return sequences;
            if (topic.StartsWith("ctl/", StringComparison.Ordinal)) continue; // the garbage publisher's end markers
            if (topic != "valid/t") throw new InvalidOperationException($"The subscriber of valid/ received {topic}.");
            sequences.Add(ReadSequence(frames));
        }
        throw new TimeoutException($"The valid publisher's end marker never came; {sequences.Count} valid messages arrived.");
    }

    /// <summary>
    /// Sends <see cref="Oversized"/> messages with a frame over ZMQ_MAXMSGSIZE, one per connection; returns how many
    /// connections the hub dropped, as the socket's monitor saw them. (A connecting socket keeps its queue across
    /// reconnections, so the next message waits for the next connection.)
    /// </summary>
    private static int SendOversized(XPublisherSocket hostile, Random random)
    {
        var disconnects = 0;
        using var disconnected = new SemaphoreSlim(0);
        using var monitor = new NetMQMonitor(hostile, $"inproc://fuzz-hostile-{Guid.NewGuid():N}", SocketEvents.Disconnected);
        monitor.Disconnected += (_, _) => disconnected.Release();
        var monitoring = monitor.StartAsync();
        try
        {
            var frame = new byte[2 * MaxPayload];
            for (var i = 0; i < Oversized; i++)
            {
                random.NextBytes(frame);
                // The oversized frame anywhere in a message of one to three frames; the others small.
                var frames = random.Next(1, 4);
                var big = random.Next(frames);
                for (var f = 0; f < frames; f++)
                {
                    var size = f == big ? random.Next(MaxFrame + 1, 2 * MaxPayload + 1) : random.Next(0, 32);
                    hostile.SendFrame(frame, size, more: f < frames - 1);
                }
                if (!disconnected.Wait(Timeout)) throw new TimeoutException($"Oversized message {i} did not cost its connection.");
                disconnects++;
            }
        }
        finally
        {
            monitor.Stop();
            monitoring.Wait(Timeout);
        }
        return disconnects;
    }

    /// <summary>
    /// The generator: <see cref="FuzzMessages"/> random messages on <paramref name="garbage"/>, and every tenth a valid
    /// one (sequence 0 went in the setup); returns how many valid messages there are in all.
    /// </summary>
    private static int Fuzz(XPublisherSocket garbage, PublisherSocket valid, Oracle oracle)
    {
        var sequence = 1;
        var random = new Random(20261125);
        var noise = new byte[1 << 20];
        random.NextBytes(noise);
        var scratch = new byte[MaxFrame];
        var sizes = new int[8];
        var validPayload = new byte[4];
        var validTopic = Encoding.UTF8.GetBytes("valid/t");

        for (var i = 0; i < FuzzMessages; i++)
        {
            int frames;
            byte[]? topic = null;
            var pick = random.Next(100);
            if (pick < 25)
            {
                // Not two frames: one, or three to eight, of any size the hub's socket accepts.
                frames = random.Next(7) is var n && n == 0 ? 1 : n + 2;
                for (var f = 0; f < frames; f++) sizes[f] = random.Next(MaxFrame + 1);
            }
            else
            {
                frames = 2;
                sizes[1] = random.Next(MaxFrame + 1);
                topic = pick switch
                {
                    < 40 => random.Next(2) == 0 ? [] : Noise(random, noise, random.Next(256, MaxFrame + 1)), // empty or over-long
                    < 60 => Noise(random, noise, random.Next(1, 256)),                                      // random bytes: mostly not UTF-8
                    < 85 => RandomUtf8Topic(random),                                                         // valid UTF-8, new or known
                    < 91 => "core_info"u8.ToArray(),
                    < 96 => "gecko.query"u8.ToArray(),
                    _ => Encoding.UTF8.GetBytes("gecko." + random.Next(1000)),
                };
                // Payloads of the hub's own topics never decode: the oracle's reasons hold without decoding them here.
                if (pick >= 85) sizes[1] = Math.Max(1, sizes[1]);
            }

            for (var f = 0; f < frames; f++)
            {
                var more = f < frames - 1;
                if (f == 0 && topic is not null)
                {
                    garbage.SendFrame(topic, more);
                    continue;
                }
                var size = sizes[f];
                noise.AsSpan(random.Next(noise.Length - size), size).CopyTo(scratch);
                if (f == 1 && pick >= 85) scratch[0] = JunkMarker[0];
                garbage.SendFrame(scratch, size, more);
            }
            oracle.Count(frames, topic, sizes[1]);

            if (i % ValidEvery == 0)
            {
                BinaryPrimitives.WriteInt32LittleEndian(validPayload, sequence++);
                valid.SendFrame(validTopic, more: true);
                valid.SendFrame(validPayload);
            }
        }
        return sequence;
    }

    private static byte[] Noise(Random random, byte[] noise, int length) => noise.AsSpan(random.Next(noise.Length - length), length).ToArray();

    private static readonly string[] Letters =
        ["a", "b", "z", "0", "9", "/", "_", "-", ".", " ", "é", "ß", "ж", "日", "本", "😀", "\u0000", "\t", "ℵ", "\uFFFD"];

    /// <summary>A valid UTF-8 topic of 1–40 letters (some multi-byte, some control) that is none of the test's own.</summary>
    private static byte[] RandomUtf8Topic(Random random)
    {
        while (true)
        {
            var text = new StringBuilder();
            for (var n = random.Next(1, 41); n > 0; n--) text.Append(Letters[random.Next(Letters.Length)]);
            var topic = text.ToString();
            if (topic.StartsWith("valid/", StringComparison.Ordinal) || topic.StartsWith("ctl/", StringComparison.Ordinal)
                || topic.StartsWith("gecko.", StringComparison.Ordinal) || topic == "core_info") continue;
            return Encoding.UTF8.GetBytes(topic);
        }
    }

    /// <summary>What the hub must make of each message, in the order the wire protocol checks it.</summary>
    private sealed class Oracle(IEnumerable<string> known, int room)
    {
        private readonly HashSet<string> _known = [.. known, "gecko.stats", "gecko.query"];
        private int _room = room;

        public Dictionary<MalformedReason, long> Expected { get; } = [];

        /// <summary>Messages the hub must count as traffic, per topic (core_info: also counted malformed, then forwarded).</summary>
        public Dictionary<string, long> Traffic { get; } = [];

        public void Count(int frames, byte[]? topic, int payloadSize)
        {
            if (frames != 2 || topic is null) Add(MalformedReason.WrongFrameCount);
            else if (topic.Length is 0 or > 255) Add(MalformedReason.BadTopic);
            else if (payloadSize > MaxPayload) Add(MalformedReason.PayloadTooLarge);
            else if (!Utf8.IsValid(topic)) Add(MalformedReason.BadTopic);
            else
            {
                var name = Encoding.UTF8.GetString(topic);
                if (!_known.Contains(name))
                {
                    if (_room == 0)
                    {
                        Add(MalformedReason.TooManyTopics);
                        return;
                    }
                    _known.Add(name);
                    _room--;
                }
                switch (name)
                {
                    case "core_info":
                        Add(MalformedReason.BadRegistration);
                        Traffic[name] = Traffic.GetValueOrDefault(name) + 1;
                        break;
                    case "gecko.query":
                        Add(MalformedReason.BadQuery);
                        break;
                    case var _ when name.StartsWith("gecko.", StringComparison.Ordinal):
                        Add(MalformedReason.ReservedTopic);
                        break;
                    default:
                        Traffic[name] = Traffic.GetValueOrDefault(name) + 1;
                        break;
                }
            }
        }

        private void Add(MalformedReason reason) => Expected[reason] = Expected.GetValueOrDefault(reason) + 1;
    }

    public void Dispose()
    {
        foreach (var socket in _sockets) socket.Dispose();
        _hub?.Dispose();
    }
}
