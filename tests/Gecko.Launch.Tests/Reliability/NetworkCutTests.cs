using System.Collections.Concurrent;
using System.Diagnostics;
using Gecko.Actors.Standalone;
using Gecko.Core.Messages;
using Gecko.Launch.Tests.Cluster;
using Gecko.Testing;
using NetMQ.Sockets;
using Xunit;
using Xunit.Abstractions;

namespace Gecko.Launch.Tests.Reliability;

/// <summary>
/// A remote node (a Raspberry Pi on Wi-Fi) whose link to a real hub is cut for seconds and restored, through a
/// <see cref="TcpLinkProxy"/> on both of its connections: it reconnects by itself, traffic resumes both ways, and every
/// message is accounted for by sequence number: delivered, counted by the publisher that dropped it, counted by the hub
/// that dropped it, or (where ZeroMQ loses it inside a broken connection, which nobody can count) measured here.
/// </summary>
public sealed class NetworkCutTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = LaunchedHub.Timeout;

    /// <summary>How long the link stays cut at least: the Wi-Fi drop-out the robot rides out.</summary>
    private static readonly TimeSpan CutFor = TimeSpan.FromSeconds(3);

    private const int PayloadBytes = 8 * 1024;

    /// <summary>Messages per topic per 10 ms tick: ~1000 msgs/s (8 MB/s) each way, enough to fill the queues in a cut.</summary>
    private const int PerTick = 10;

    [Theory]
    [InlineData(LinkCut.Blackhole)]
    [InlineData(LinkCut.Reset)]
    public async Task RemoteNode_LinkCutAndRestored_ReconnectsByItselfAndEveryMessageIsDeliveredCountedOrMeasured(LinkCut mode)
    {
        // A small out-side queue, so the hub's own drops for the cut-off subscriber show within the cut.
        using var hub = await LaunchedHub.StartAsync("send-high-water-mark=1000");
        using var inLink = TcpLinkProxy.ToZeroMq(hub.InAddress);
        using var outLink = TcpLinkProxy.ToZeroMq(hub.OutAddress);

        // The remote node reaches the hub only through the links; a node on the hub's machine and an observer directly.
        using var remote = StandaloneNode.Init("remote", Options(inLink.ZeroMqAddress, outLink.ZeroMqAddress));
        using var local = StandaloneNode.Init("local", Options(hub.InAddress, hub.OutAddress));
        var remoteData = new Arrivals();
        var remoteLocal = new Arrivals();
        var probes = 0;
        remote.Subscribe<Image>("cut/data", image => remoteData.Add((long)image.Timestamp));
        remote.Subscribe<Image>("cut/local", image => remoteLocal.Add((long)image.Timestamp));
        remote.Subscribe<Image>("cut/probe", _ => Interlocked.Increment(ref probes));
        using var observer = ZeroMq.Subscriber(hub.OutAddress, "cut/");
        var observedData = new Arrivals();
        var observedLocal = new Arrivals();
        using var stopObserving = new CancellationTokenSource();
        var observing = Task.Run(() => Observe(observer, observedData, observedLocal, stopObserving.Token));

        // Both of the remote node's connections carry traffic before the cut: its probes come back through the hub.
        var probe = remote.Publisher<Image>("cut/probe");
        await Eventually.UntilAsync(() =>
        {
            probe.Publish(Numbered(-1));
            return Volatile.Read(ref probes) > 0;
        }, Timeout, "a probe from the remote node back to it through the hub", () => hub.Process.Transcript);

        var fromRemote = new NumberedPublisher(remote.Publisher<Image>("cut/data"));
        var fromLocal = new NumberedPublisher(local.Publisher<Image>("cut/local"));
        using var stopPublishing = new CancellationTokenSource();
        var publishing = Task.Run(() => Publish(stopPublishing.Token, fromRemote, fromLocal));
        try
        {
            await Eventually.UntilAsync(() => remoteData.Count > 200 && remoteLocal.Count > 200, Timeout, "traffic both ways before the cut");

            var (droppedBefore, hubDroppedBefore) = (fromRemote.Dropped, hub.Stats().Topic("cut/local")?.Dropped ?? 0);
            var cutAt = Stopwatch.StartNew();
            inLink.Cut(mode);
            outLink.Cut(mode);
            // The cut is a deliberate wait: first until both sides have noticed and counted what they could not send
            // (the remote publisher's queue full or its connection gone; the hub's queue for the remote subscriber full,
            // which a reset connection does not reach), then held to its full length.
            await Eventually.UntilAsync(
                () => fromRemote.Dropped > droppedBefore && (mode == LinkCut.Reset || hub.Stats().Topic("cut/local")?.Dropped > hubDroppedBefore),
                Timeout, "the drops of the cut counted on both sides", () => hub.Process.Transcript);
            var noticedAfter = cutAt.Elapsed;
            if (cutAt.Elapsed < CutFor) await Task.Delay(CutFor - cutAt.Elapsed);
            var cutLasted = cutAt.Elapsed;

            var (dataBoundary, localBoundary) = (fromRemote.Next, fromLocal.Next);
            var restoredAt = Stopwatch.GetTimestamp();
            inLink.Restore();
            outLink.Restore();
            await Eventually.UntilAsync(() => remoteData.Last >= dataBoundary && remoteLocal.Last >= localBoundary, Timeout,
                "messages published after the restore, at the remote node");
            var firstAnyAfter = Min(remoteData.FirstArrivalAfter(restoredAt), remoteLocal.FirstArrivalAfter(restoredAt));
            var firstNewRoundTrip = remoteData.FirstArrivalOf(dataBoundary, restoredAt);
            var firstNewFromHub = remoteLocal.FirstArrivalOf(localBoundary, restoredAt);

            // Traffic flows again for a while, then stops: the tail tells when everything has arrived.
            await Eventually.UntilAsync(() => remoteData.Count > 0 && remoteData.Last >= dataBoundary + 500, Timeout, "traffic after the restore");
            stopPublishing.Cancel();
            await publishing;
            var (dataSent, localSent) = (fromRemote.Next, fromLocal.Next);
            var lastData = fromRemote.LastDelivered();
            await Eventually.UntilAsync(() => observedData.Last == lastData && remoteData.Last == lastData
                && observedLocal.Last == localSent - 1 && remoteLocal.Last == localSent - 1, Timeout, "the last messages everywhere");

            // The remote node's registration, through the restored link, brings its drop count to the hub; a report made
            // after the last messages passed the hub has its final counts. (The observer is no oracle of what reached the
            // hub: with a send-high-water-mark of 1000 a busy test process misses messages too, counted by the hub.)
            var settled = DateTimeOffset.UtcNow;
            var stats = await hub.StatsUntilAsync(s => s.Timestamp > settled && s.Topic("cut/data")?.PublisherDropped == fromRemote.Dropped
                && s.Topic("cut/local")?.Messages == localSent, "the remote node's drops announced to the hub");
            var data = stats.Topic("cut/data")!;
            var localTopic = stats.Topic("cut/local")!;

            // Remote publisher -> hub: each number reached the hub (the observer saw it) or Publish returned false, never both.
            var reachedHub = observedData.Numbers();
            Assert.Empty(reachedHub.Intersect(fromRemote.DroppedNumbers()));
            var lostSilentlyToHub = dataSent - data.Messages - fromRemote.Dropped;
            // Hub -> remote subscriber: each message the hub had went to it or was counted as dropped for it (the
            // hub's count on a topic includes what the observer missed, which the observer knows).
            var hubDroppedForRemote = data.Dropped - (data.Messages - observedData.Count) + localTopic.Dropped - (localTopic.Messages - observedLocal.Count);
            var lostSilentlyFromHub = data.Messages + localTopic.Messages - remoteData.Count - remoteLocal.Count - hubDroppedForRemote;

            output.WriteLine($"{mode}: cut {cutLasted.TotalSeconds:0.0} s (drops counted after {noticedAfter.TotalSeconds:0.00} s); " +
                $"after the restore the first message came in {firstAnyAfter:0.000} s, the first new one hub -> remote in {firstNewFromHub:0.000} s, " +
                $"remote -> hub -> remote in {firstNewRoundTrip:0.000} s");
            output.WriteLine($"remote -> hub: {dataSent} sent, {data.Messages} reached the hub ({reachedHub.Count} seen by the observer), " +
                $"{fromRemote.Dropped} counted by the publisher (hub shows {data.PublisherDropped}), {lostSilentlyToHub} lost silently");
            output.WriteLine($"hub -> remote: {data.Messages + localTopic.Messages} at the hub for the remote node (both topics), " +
                $"{remoteData.Count + remoteLocal.Count} received by it, {hubDroppedForRemote} counted as dropped for it by the hub, {lostSilentlyFromHub} lost silently; " +
                $"proxies moved {inLink.BytesToTarget / 1e6:0.0} MB in, {outLink.BytesFromTarget / 1e6:0.0} MB out, reset {inLink.Refused + outLink.Refused} connections");

            Assert.InRange(reachedHub.Count, 0, data.Messages);
            Assert.Equal(fromRemote.Dropped, data.PublisherDropped);
            Assert.Equal(0, fromLocal.Dropped);
            Assert.True(remoteData.InOrder && remoteLocal.InOrder && observedData.InOrder && observedLocal.InOrder, "every stream in order");
            if (mode == LinkCut.Blackhole)
            {
                // A connection that only stalls loses nothing inside ZeroMQ or TCP: every message is delivered or counted.
                Assert.Equal(0, lostSilentlyToHub);
                Assert.Equal(0, lostSilentlyFromHub);
                Assert.True(fromRemote.Dropped > 0 && hubDroppedForRemote > 0, "the cut cost messages on both sides");
            }
            else
            {
                // A reset connection takes with it what ZeroMQ had handed to TCP (and the hub has no queue for a
                // subscriber that is not connected): that loss is measured here, it cannot be counted by anyone.
                Assert.InRange(lostSilentlyToHub, 0, dataSent);
                Assert.InRange(lostSilentlyFromHub, 0, dataSent + localSent);
                Assert.True(inLink.Refused + outLink.Refused >= 2, "both connections were reset");
            }
        }
        finally
        {
            stopPublishing.Cancel();
            stopObserving.Cancel();
            await Task.WhenAll(publishing, observing);
        }
    }

    private static double Min(double a, double b) => Math.Min(a, b);

    private static NodeOptions Options(string inAddress, string outAddress) => new()
    {
        InAddress = inAddress, OutAddress = outAddress, RegistrationInterval = TimeSpan.FromMilliseconds(200),
        HandleSignals = false, LogToConsole = false,
    };

    private static Image Numbered(long n) => new([PayloadBytes], new byte[PayloadBytes], false, n);

    private static void Publish(CancellationToken stop, params NumberedPublisher[] publishers)
    {
        var rate = new Rate(100);
        while (!stop.IsCancellationRequested)
        {
            for (var i = 0; i < PerTick; i++)
            {
                foreach (var publisher in publishers) publisher.PublishNext();
            }
            rate.Sleep();
        }
    }

    private static void Observe(SubscriberSocket observer, Arrivals data, Arrivals local, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (observer.TryReceive(TimeSpan.FromMilliseconds(50)) is not { } message) continue;
            var arrivals = message.Topic switch { "cut/data" => data, "cut/local" => local, _ => null };
            arrivals?.Add((long)GeckoSerializer.Decode<Image>(message.Payload).Timestamp);
        }
    }

    /// <summary>A publisher of numbered images that remembers which numbers it could not send.</summary>
    private sealed class NumberedPublisher(StandalonePublisher<Image> publisher)
    {
        private readonly ConcurrentQueue<long> _dropped = new();
        private long _next;

        public long Next => Interlocked.Read(ref _next);

        public long Dropped => publisher.Dropped;

        public void PublishNext()
        {
            var n = _next;
            if (!publisher.Publish(Numbered(n))) _dropped.Enqueue(n);
            Interlocked.Exchange(ref _next, n + 1);
        }

        public HashSet<long> DroppedNumbers() => [.. _dropped];

        /// <summary>The highest number that was not dropped (-1: none), once publishing has stopped.</summary>
        public long LastDelivered()
        {
            var dropped = DroppedNumbers();
            for (var n = Next - 1; n >= 0; n--)
            {
                if (!dropped.Contains(n)) return n;
            }
            return -1;
        }
    }
}
