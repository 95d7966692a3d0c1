using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Gecko.Launch.Tests.Reliability;
using Gecko.Testing;
using NetMQ.Sockets;
using Xunit;
using Xunit.Abstractions;

namespace Gecko.Launch.Tests.Cluster;

/// <summary>
/// Two real gecko hosts whose cluster link is cut for seconds and restored, through a <see cref="TcpLinkProxy"/> in
/// front of each host's cluster endpoint (so the cut is complete both ways, whoever dials whom): each marks the other
/// unreachable, then reachable again with no restart, traffic resumes, and every message is accounted for.
/// </summary>
public sealed partial class ClusterNetworkCutTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = ClusterHostProcess.Timeout;

    /// <summary>The cut: longer than the failure detector's pause, far shorter than the resolver's stable-after.</summary>
    private static readonly TimeSpan CutFor = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Each host listens on 127.0.0.1 and tells the others to reach it at 127.0.0.2 (public-hostname), on the same
    /// port, where the test's proxy for it listens: the OS picks the port, so the proxy can only be made once the host
    /// has said which. A silent host is unreachable after ~1 s; the resolver would remove it only after 30 s.
    /// </summary>
    private const string Settings = """
        gecko.cluster {
          public-hostname = "127.0.0.2"
          failure-detection { heartbeat-interval = 250ms, acceptable-heartbeat-pause = 1s }
          split-brain-resolver.stable-after = 30s
          interest-interval = 500ms
        }
        """;

    private readonly TempFolder _temp = new("gecko-cluster-cut-");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(LinkCut.Blackhole)]
    [InlineData(LinkCut.Reset)]
    public async Task Hosts_must_ride_out_a_cut_shorter_than_stable_after_and_account_for_every_message(LinkCut mode)
    {
        var launchFile = _temp.Write("cut.conf", Settings);
        using var a = await ClusterHostProcess.LaunchAsync("A", _temp, launchFile, seed: null);
        using var toA = ProxyFor(a);
        using var b = await ClusterHostProcess.LaunchAsync("B", _temp, launchFile, a);
        using var toB = ProxyFor(b);
        await a.SeesUpAsync(b);
        await b.SeesUpAsync(a);

        using var publisher = ZeroMq.Publisher(a.InAddress);
        using var atB = ZeroMq.Subscriber(b.OutAddress, "t/");
        ZeroMq.Handshake(publisher, "t/probe", Timeout, atB);
        var received = new Arrivals();
        long next = 0;
        using var stop = new CancellationTokenSource();
        using var stopReceiving = new CancellationTokenSource();
        var publishing = Task.Run(() => Publish(publisher, () => next, n => Volatile.Write(ref next, n), stop.Token));
        var receiving = Task.Run(() => Receive(atB, received, stopReceiving.Token));
        try
        {
            await Eventually.UntilAsync(() => received.Count > 200, Timeout, "traffic from A to B before the cut");

            var cutAt = Stopwatch.StartNew();
            toA.Cut(mode);
            toB.Cut(mode);
            // The cut is a deliberate wait: until both hosts have marked the other unreachable, then held to its length.
            await a.SaysAsync(b, "is unreachable");
            await b.SaysAsync(a, "is unreachable");
            var unreachableAfter = cutAt.Elapsed;
            if (cutAt.Elapsed < CutFor) await Task.Delay(CutFor - cutAt.Elapsed);
            var cutLasted = cutAt.Elapsed;

            var boundary = Volatile.Read(ref next);
            var restoredAt = Stopwatch.GetTimestamp();
            toA.Restore();
            toB.Restore();
            await a.SaysAsync(b, "is reachable again");
            var reachableAfter = Stopwatch.GetElapsedTime(restoredAt);
            await b.SaysAsync(a, "is reachable again");
            await Eventually.UntilAsync(() => received.Last >= boundary + 1000, Timeout, "traffic from A to B after the restore",
                () => $"B received up to {received.Last}; published {Volatile.Read(ref next)}");
            var firstNew = received.FirstArrivalOf(boundary, restoredAt);
            var firstAny = received.FirstArrivalAfter(restoredAt);
            stop.Cancel();
            await publishing;
            var sent = Volatile.Read(ref next);
            await Eventually.UntilAsync(() => received.Last == sent - 1, Timeout, "the last message at B");

            // Every message A's hub got either arrived at B or is counted as dropped on A's member line for B: dropped
            // while B was unreachable, or lost on the way when the connection broke (B's acknowledgements show the gap).
            // Nothing else crosses after the probes, which were never dropped (the handshake needed them).
            var atBReport = await b.ReportAsync(r => ClusterHostProcess.ClusterCounts(r, "t/data")?.In == received.Count, "the subscriber's count");
            var (intoB, _) = ClusterHostProcess.ClusterCounts(atBReport, "t/data")!.Value;
            var atA = await a.ReportAsync(r => ClusterHostProcess.MemberCounts(r, b) is { } m && intoB + m.Dropped == sent,
                $"A accounting for all {sent} messages ({intoB} arrived at B)");
            var droppedForB = ClusterHostProcess.MemberCounts(atA, b)!.Value.Dropped;
            // A says how many of them it learnt were lost on the way, each time it learns of more.
            var lostOnTheWay = a.Process.Transcript.Split('\n').Select(l => LostLine().Match(l)).Where(m => m.Success)
                .Select(m => long.Parse(m.Groups["total"].Value)).DefaultIfEmpty(0).Max();

            output.WriteLine($"{mode}: cut {cutLasted.TotalSeconds:0.0} s, both hosts unreachable after {unreachableAfter.TotalSeconds:0.00} s; " +
                $"reachable again {reachableAfter.TotalSeconds:0.00} s after the restore; first message at B {firstAny:0.000} s, the first one published after the restore {firstNew:0.000} s");
            output.WriteLine($"{sent} published at A: {intoB} arrived at B ({received.Count} at its subscriber), {droppedForB} counted as dropped for B " +
                $"on A's member line, of which {lostOnTheWay} were lost inside Akka.Remote when the connection broke (found by B's acknowledgements); " +
                $"proxies moved {(toA.BytesToTarget + toA.BytesFromTarget) / 1e6:0.00} + {(toB.BytesToTarget + toB.BytesFromTarget) / 1e6:0.00} MB, reset {toA.Refused + toB.Refused} connections");

            Assert.True(received.InOrder, "B received in order");
            Assert.Equal(intoB, received.Count);
            Assert.Equal(sent, intoB + droppedForB);
            Assert.True(droppedForB > 0, "messages published while B was unreachable were dropped and counted");
            // A stalled association is never broken: what Akka.Remote had taken arrives after the restore.
            if (mode == LinkCut.Blackhole) Assert.Equal(0, lostOnTheWay);
            Assert.False(a.Process.HasExited || b.Process.HasExited);
        }
        finally
        {
            stop.Cancel();
            stopReceiving.Cancel();
            await Task.WhenAll(publishing, receiving);
        }
    }

    [GeneratedRegex(@"messages for \S+ were lost on the way \((?<total>\d+) so far")]
    private static partial Regex LostLine();

    /// <summary>A proxy on 127.0.0.2 at the host's own port, forwarding to where it listens (127.0.0.1, same port).</summary>
    private static TcpLinkProxy ProxyFor(ClusterHostProcess host)
    {
        var port = int.Parse(host.HostPort[(host.HostPort.LastIndexOf(':') + 1)..]);
        Assert.StartsWith("127.0.0.2:", host.HostPort);
        return new TcpLinkProxy(new IPEndPoint(IPAddress.Loopback, port), new IPEndPoint(IPAddress.Parse("127.0.0.2"), port));
    }

    /// <summary>~1000 numbered messages a second, 10 every 10 ms.</summary>
    private static void Publish(PublisherSocket publisher, Func<long> next, Action<long> advance, CancellationToken stop)
    {
        var rate = new Actors.Standalone.Rate(100);
        while (!stop.IsCancellationRequested)
        {
            var from = next();
            publisher.SendNumbers("t/data", from, 10);
            advance(from + 10);
            rate.Sleep();
        }
    }

    private static void Receive(SubscriberSocket subscriber, Arrivals arrivals, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (subscriber.TryReceive(TimeSpan.FromMilliseconds(50)) is { Topic: "t/data" } message) arrivals.Add(ZeroMq.Number(message.Payload));
        }
    }
}
