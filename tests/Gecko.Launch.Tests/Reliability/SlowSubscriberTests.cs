using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using NetMQ;
using NetMQ.Sockets;
using Xunit;
using Xunit.Abstractions;

namespace Gecko.Launch.Tests.Reliability;

/// <summary>
/// One subscriber stops reading while two others keep up with a publisher of 1 kB camera frames, through a real hub
/// (<c>gecko launch</c> in a child process) with a send high-water mark of 10 000: the hub's memory stays within what
/// the high-water mark allows, the fast subscribers lose nothing, and every frame the slow one missed is counted on its
/// topic — in gecko.stats and on the dashboard.
/// </summary>
[Collection("reliability")]
public sealed class SlowSubscriberTests(ITestOutputHelper output) : IDisposable
{
    private const int HighWaterMark = 10_000;
    private const int Frames = 100_000;
    private const int FrameSize = 1024;
    private const int Window = 2_000;           // the publisher stays at most this far ahead of the fast subscribers
    private const string Topic = "camera/frames";

    private static readonly TimeSpan Timeout = LaunchedHub.Timeout;
    private readonly List<IDisposable> _sockets = [];
    private LaunchedHub? _hub;

    [Fact]
    public async Task Hub_SubscriberStopsReading_MemoryBoundedFastOnesCompleteDropsCountedPerTopic()
    {
        _hub = await LaunchedHub.StartAsync($"send-high-water-mark={HighWaterMark}");
        var hub = _hub;
        var publisher = Own(new PublisherSocket());
        publisher.Options.SendHighWatermark = 0;
        publisher.Connect(hub.InAddress);
        var fast = new[] { Subscriber(hub.OutAddress), Subscriber(hub.OutAddress) };
        var slow = Subscriber(hub.OutAddress);
        await HandshakeAsync(publisher, [.. fast, slow]);
        var baseline = hub.Memory();

        // The fast subscribers read on threads of their own and check the sequence as they go.
        var fastReceived = new long[fast.Length];
        var readers = fast.Select((socket, i) => Task.Factory.StartNew(() => ReadSequence(socket, ref fastReceived[i]), TaskCreationOptions.LongRunning)).ToArray();

        var frame = new byte[FrameSize];
        var topic = Encoding.UTF8.GetBytes(Topic);
        var clock = Stopwatch.StartNew();
        var deadline = DateTime.UtcNow + 4 * Timeout;
        for (var i = 0; i < Frames; i++)
        {
            // A rate the hub sustains, whatever else runs on this machine: never further ahead of the fast subscribers
            // than a fifth of the high-water mark. The slow one is not waited for.
            while (i - Math.Min(Volatile.Read(ref fastReceived[0]), Volatile.Read(ref fastReceived[1])) > Window)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"The fast subscribers stopped at {fastReceived[0]} and {fastReceived[1]} of {i}.");
                Thread.Yield();
            }
            BinaryPrimitives.WriteInt32LittleEndian(frame, i);
            publisher.SendFrame(topic, more: true);
            publisher.SendFrame(frame);
        }
        publisher.SendMoreFrame("ctl/end").SendFrame([]);
        foreach (var reader in readers) Assert.Equal(Frames, await reader.WaitAsync(4 * Timeout));
        var publishTime = clock.Elapsed;
        var peak = hub.Memory().Peak;

        // Everything the hub had for the slow subscriber, it still has: read it, then a probe behind it proves the rest
        // was dropped, not late (the hub keeps each subscriber's order).
        var slowReceived = await Task.Run(() => DrainSlow(publisher, slow));
        var stats = await hub.StatsUntilAsync(s => s.Topic(Topic)?.Dropped == Frames - slowReceived, "the drops counted on the topic");

        output.WriteLine($"{Frames:N0} frames of {FrameSize} B in {publishTime.TotalSeconds:0.0} s ({Frames / publishTime.TotalSeconds:N0} msgs/s); " +
                         $"the slow subscriber got {slowReceived:N0}, the hub counted {stats.Topic(Topic)!.Dropped:N0} dropped");
        output.WriteLine($"hub RSS {baseline.Resident / 1e6:0.0} MB before, peak {peak / 1e6:0.0} MB (growth {(peak - baseline.Resident) / 1e6:0.0} MB)");

        Assert.True(slowReceived < Frames - HighWaterMark, $"the slow subscriber received {slowReceived} of {Frames}: nothing to count");
        // The hub's total also holds control messages the slow subscriber missed (the end marker, early probes).
        Assert.True(stats.TotalDropped >= Frames - slowReceived);
        Assert.True(stats.DropsCounted);
        // At most one and a half high-water marks of 1 kB frames wait for the slow subscriber (see NetMqWatermarks).
        Assert.True(peak - baseline.Resident < 64_000_000, $"the hub grew from {baseline.Resident / 1e6:0.0} MB to {peak / 1e6:0.0} MB");
        // The dashboard shows it on the topic's line.
        await hub.Process.WaitForLineAsync(l => l.Contains(Topic) && l.EndsWith($"dropped {Frames - slowReceived}", StringComparison.Ordinal), Timeout);
        Assert.Equal(0, await hub.StopAsync());
    }

    private T Own<T>(T socket) where T : IDisposable
    {
        _sockets.Add(socket);
        return socket;
    }

    private SubscriberSocket Subscriber(string address)
    {
        var socket = Own(new SubscriberSocket());
        socket.Options.ReceiveHighWatermark = 1000;
        socket.Options.Linger = TimeSpan.Zero;
        socket.Subscribe("camera/");
        socket.Subscribe("ctl/");
        socket.Connect(address);
        return socket;
    }

    /// <summary>Probes until every subscriber has one, then reads what else came (more probes).</summary>
    private static async Task HandshakeAsync(PublisherSocket publisher, SubscriberSocket[] subscribers)
    {
        var seen = new bool[subscribers.Length];
        var deadline = DateTime.UtcNow + Timeout;
        while (seen.Contains(false))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("A subscriber never received a probe.");
            publisher.SendMoreFrame("ctl/probe").SendFrame([]);
            for (var s = 0; s < subscribers.Length; s++)
                while (subscribers[s].TryReceiveFrameString(TimeSpan.FromMilliseconds(20), out _))
                {
                    subscribers[s].ReceiveFrameBytes();
                    seen[s] = true;
                }
            await Task.Yield();
        }
        foreach (var subscriber in subscribers)
            while (subscriber.TryReceiveFrameString(TimeSpan.FromMilliseconds(200), out var topic))
            {
                Assert.Equal("ctl/probe", topic);
                subscriber.ReceiveFrameBytes();
            }
    }

    /// <summary>Reads frames until the end marker, each the next in sequence; returns how many came.</summary>
    private static int ReadSequence(SubscriberSocket subscriber, ref long received)
    {
        var expected = 0;
        var deadline = DateTime.UtcNow + 4 * Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!subscriber.TryReceiveFrameString(TimeSpan.FromMilliseconds(100), out var topic)) continue;
            var payload = subscriber.ReceiveFrameBytes();
            if (topic == "ctl/end") return expected;
            if (topic != Topic || BinaryPrimitives.ReadInt32LittleEndian(payload) != expected)
                throw new InvalidOperationException($"A fast subscriber expected frame {expected}, got {topic} {BinaryPrimitives.ReadInt32LittleEndian(payload)}.");
            Volatile.Write(ref received, ++expected);
        }
        throw new TimeoutException($"A fast subscriber got {expected} frames and no end marker.");
    }

    /// <summary>
    /// Reads the slow subscriber's frames (a prefix of the sequence up to where its queue filled, then whatever came once
    /// it had room again) while probes go out, until a probe arrives: nothing sent before it is still on its way.
    /// </summary>
    private static int DrainSlow(PublisherSocket publisher, SubscriberSocket slow)
    {
        var received = 0;
        var last = -1;
        var deadline = DateTime.UtcNow + Timeout;
        var nextProbe = DateTime.MinValue;
        while (DateTime.UtcNow < deadline)
        {
            if (DateTime.UtcNow >= nextProbe)
            {
                publisher.SendMoreFrame("ctl/flushed").SendFrame([]);
                nextProbe = DateTime.UtcNow + TimeSpan.FromMilliseconds(200);
            }
            if (!slow.TryReceiveFrameString(TimeSpan.FromMilliseconds(20), out var topic)) continue;
            var payload = slow.ReceiveFrameBytes();
            if (topic == "ctl/flushed") return received;
            if (topic != Topic) continue; // the end marker, if it had room
            var sequence = BinaryPrimitives.ReadInt32LittleEndian(payload);
            Assert.True(sequence > last, $"the slow subscriber got frame {sequence} after {last}");
            last = sequence;
            received++;
        }
        throw new TimeoutException($"The slow subscriber read {received} frames and no probe came after them.");
    }

    public void Dispose()
    {
        foreach (var socket in _sockets) socket.Dispose();
        _hub?.Dispose();
    }
}
