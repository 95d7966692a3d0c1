using System.Diagnostics;
using System.Net;
using Gecko.Launch.Tests.LaunchFiles;
using Gecko.Testing;
using NetMQ.Sockets;
using Xunit;
using Xunit.Abstractions;

namespace Gecko.Launch.Tests.Cluster;

/// <summary>
/// Two real gecko hosts, each behind a <see cref="TcpLinkProxy"/>, cut apart for longer than failure detection and the
/// split-brain resolver's stable-after: one of them is removed, keeps its hub running, and once the link is back joins
/// the other again by itself, in the same process, with topics flowing both ways through the same hubs and sockets.
/// </summary>
public sealed class ClusterRejoinTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = ClusterHostProcess.Timeout;

    /// <summary>
    /// As in <see cref="ClusterNetworkCutTests"/>: each host listens on 127.0.0.1 and is reached through the test's
    /// proxy at its public-hostname (127.0.0.2 or 127.0.0.3, given per host). A silent host is unreachable after ~1 s and
    /// removed 2 s later; a removed host tries to rejoin every 0.5 s.
    /// </summary>
    private const string Settings = """
        gecko.cluster {
          failure-detection { heartbeat-interval = 250ms, acceptable-heartbeat-pause = 1s }
          split-brain-resolver.stable-after = 2s
          rejoin-after = 500ms
          interest-interval = 500ms
        }
        akka.loglevel = INFO
        """;

    private const int Messages = 500;

    private readonly TempFolder _temp = new("gecko-cluster-rejoin-");

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// keep-majority with two hosts is a tie: the side with the lowest address stays. With A, the seed, at 127.0.0.3 and
    /// B at 127.0.0.2, the seed is removed, and must rejoin through B, which is no seed, never by starting a cluster of its
    /// own. keep-oldest keeps the side of the oldest host, the seed: B is removed and rejoins through the seed.
    /// </summary>
    [Theory]
    [InlineData("keep-majority", LinkCut.Blackhole, "127.0.0.3")]
    [InlineData("keep-oldest", LinkCut.Reset, "127.0.0.2")]
    public async Task A_removed_host_must_rejoin_by_itself_when_the_link_is_back_and_topics_flow_both_ways(string strategy, LinkCut cut, string seedAddress)
    {
        var settings = Settings + $"\ngecko.cluster.split-brain-resolver.strategy = {strategy}\n";
        // A places a node on the hosts with role pi: B. Whichever of them is removed, the node runs on B again after the rejoin.
        var launchFile = _temp.Write("rejoin-a.conf", settings + $$"""
            gecko.nodes.where { type = "Gecko.Launch.TestNodes.PidAnnouncer", assembly = "{{TestNodes.AssemblyPath}}", role = pi, args { topic = where } }
            """);
        using var a = await ClusterHostProcess.LaunchAsync("A", _temp, launchFile, seed: null, "--set", $"gecko.cluster.public-hostname={seedAddress}");
        using var toA = ProxyFor(a);
        using var b = await ClusterHostProcess.LaunchAsync("B", _temp, _temp.Write("rejoin-b.conf", settings), a,
            "--set", "gecko.cluster.public-hostname=127.0.0.2", "--role", "pi");
        using var toB = ProxyFor(b);
        await a.SeesUpAsync(b);
        await b.SeesUpAsync(a);
        await PlacedOnBAsync(a, b, times: 1);

        // The same sockets on the same hubs all along: nothing here reconnects or restarts.
        using var publisherA = ZeroMq.Publisher(a.InAddress);
        using var publisherB = ZeroMq.Publisher(b.InAddress);
        using var atA = ZeroMq.Subscriber(a.OutAddress, "b/");
        using var atB = ZeroMq.Subscriber(b.OutAddress, "a/");
        ExchangeBothWays(publisherA, atB, publisherB, atA, from: 0);

        try
        {
            await CutRemoveAndRestoreAsync(a, b, toA, toB, publisherA, atB, publisherB, atA, strategy, cut);
        }
        catch
        {
            foreach (var host in new[] { a, b })
                output.WriteLine($"{host.Name} ({host.Address}):\n" + string.Join('\n', host.Process.Transcript.Split('\n')
                    .Where(l => !l.StartsWith(' ') && !l.StartsWith("== ", StringComparison.Ordinal))));
            throw;
        }
    }

    private async Task CutRemoveAndRestoreAsync(ClusterHostProcess a, ClusterHostProcess b, TcpLinkProxy toA, TcpLinkProxy toB,
        PublisherSocket publisherA, SubscriberSocket atB, PublisherSocket publisherB, SubscriberSocket atA, string strategy, LinkCut cut)
    {
        var (pidA, pidB) = (a.Pid, b.Pid);
        var (removed, survivor) = strategy == "keep-oldest" ? (b, a) : (a, b);
        // Twice: the second time the host's second identity is removed and a third one joins (a Wi-Fi link drops again).
        const int Outages = 2;
        for (var outage = 1; outage <= Outages; outage++)
        {
            var cutAt = Stopwatch.StartNew();
            toA.Cut(cut);
            toB.Cut(cut);
            await survivor.SaysAsync(removed, "was removed");
            await removed.SaysAsync(removed, "was removed from the cluster");
            var removedAfter = cutAt.Elapsed;

            var restoredAt = Stopwatch.StartNew();
            toA.Restore();
            toB.Restore();
            await removed.SaysAsync(removed, "rejoined the cluster");
            await survivor.SaysAsync(removed, "is up");
            var rejoinedAfter = restoredAt.Elapsed;
            ExchangeBothWays(publisherA, atB, publisherB, atA, from: outage * Messages);
            var flowingAfter = restoredAt.Elapsed;
            // The node placed on B stopped with the removed identity (A's or B's) and is placed there again.
            await PlacedOnBAsync(a, b, times: outage + 1);

            output.WriteLine($"{strategy}, {cut}, outage {outage}: {(removed == a ? "A (the seed)" : "B (no seed)")} removed {removedAfter.TotalSeconds:0.0} s after the cut; " +
                $"rejoined {rejoinedAfter.TotalSeconds:0.0} s after the restore, {Messages} messages each way in order {flowingAfter.TotalSeconds:0.0} s after it");
        }

        var removedLine = removed.Process.Transcript.Split('\n').First(l => l.StartsWith("gecko: cluster: ", StringComparison.Ordinal) && l.Contains("was removed from the cluster", StringComparison.Ordinal));
        Assert.Contains("rejoining", removedLine);
        Assert.Equal((pidA, pidB), (a.Pid, b.Pid));
        Assert.False(a.Process.HasExited || b.Process.HasExited, "no host ended");
        // It rejoined the cluster there was, at the address the other knew: no second cluster of its own.
        Assert.DoesNotContain(survivor.Process.Transcript.Split('\n'), l => l.Contains("cluster: this host", StringComparison.Ordinal) && l.Contains("was removed", StringComparison.Ordinal));
        Assert.Equal(Outages, removed.Process.Transcript.Split('\n').Count(l => l.StartsWith("gecko: cluster: ", StringComparison.Ordinal) && l.Contains("rejoined the cluster", StringComparison.Ordinal)));

        // Stopped with Ctrl-C, the rejoined host leaves under its new identity (the other sees it leave, not fail) and ends cleanly.
        removed.Process.Signal(2);
        await survivor.SaysAsync(removed, "has left the cluster");
        Assert.Equal(0, await removed.Process.WaitForExitAsync(Timeout));
    }

    /// <summary>
    /// Probes until each subscriber hears the other host's publisher (interest has crossed), then <see cref="Messages"/>
    /// numbered messages each way, all of which must arrive, in order, exactly once.
    /// </summary>
    private static void ExchangeBothWays(PublisherSocket publisherA, SubscriberSocket atB, PublisherSocket publisherB, SubscriberSocket atA, long from)
    {
        ZeroMq.Handshake(publisherA, "a/probe", Timeout, atB);
        ZeroMq.Handshake(publisherB, "b/probe", Timeout, atA);
        publisherA.SendNumbers("a/data", from, Messages);
        publisherB.SendNumbers("b/data", from, Messages);
        var expected = Enumerable.Range(0, Messages).Select(i => from + i).ToList();
        Assert.Equal(expected, atB.ReceiveNumbersUntil("a/data", from + Messages - 1, Timeout));
        Assert.Equal(expected, atA.ReceiveNumbersUntil("b/data", from + Messages - 1, Timeout));
    }

    /// <summary>Waits until A has said <paramref name="times"/> times that its node was placed on B, and not more.</summary>
    private static async Task PlacedOnBAsync(ClusterHostProcess a, ClusterHostProcess b, int times)
    {
        var placed = $"where placed on {b.Address} (pid {b.Pid}, 1 instance)";
        bool IsPlaced(string line) => line.StartsWith("gecko: ", StringComparison.Ordinal) && line.Contains(placed, StringComparison.Ordinal);
        for (var seen = a.Process.Transcript.Split('\n').Count(IsPlaced); seen < times; seen++) await a.Process.WaitForLineAsync(IsPlaced, Timeout);
        Assert.Equal(times, a.Process.Transcript.Split('\n').Count(IsPlaced));
    }

    private static int Port(ClusterHostProcess host) => int.Parse(host.HostPort[(host.HostPort.LastIndexOf(':') + 1)..]);

    /// <summary>A proxy at the host's public address and its own port, forwarding to where it listens (127.0.0.1, same port).</summary>
    private static TcpLinkProxy ProxyFor(ClusterHostProcess host)
    {
        var publicHost = host.HostPort[..host.HostPort.LastIndexOf(':')];
        Assert.NotEqual("127.0.0.1", publicHost);
        return new TcpLinkProxy(new IPEndPoint(IPAddress.Loopback, Port(host)), new IPEndPoint(IPAddress.Parse(publicHost), Port(host)));
    }
}
