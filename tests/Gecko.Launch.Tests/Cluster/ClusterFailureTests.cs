using System.Text.RegularExpressions;
using Gecko.Launch.Tests.LaunchFiles;
using Gecko.Testing;
using MessagePack;
using Xunit;

namespace Gecko.Launch.Tests.Cluster;

/// <summary>Real gecko hosts killed with SIGKILL and started again: the others carry on, remove it, and take it back.</summary>
public sealed partial class ClusterFailureTests : IDisposable
{
    private static readonly TimeSpan Timeout = ClusterHostProcess.Timeout;
    private readonly TempFolder _temp = new("gecko-cluster-test-");

    public void Dispose() => _temp.Dispose();

    private string QuickLaunchFile(string name, string nodes = "") =>
        _temp.Write(name, ClusterHostProcess.QuickFailureDetection + "\n" + nodes);

    [Fact]
    public async Task Killed_host_must_not_stop_the_others_and_must_be_removed_then_rejoin_and_receive_again()
    {
        using var a = await ClusterHostProcess.LaunchAsync("A", _temp, QuickLaunchFile("a.conf"), seed: null);
        using var c = await ClusterHostProcess.LaunchAsync("C", _temp, QuickLaunchFile("c.conf"), a);
        var b = await ClusterHostProcess.CoreAsync("B", _temp, a);
        try
        {
            await a.SeesUpAsync(b, c);
            await c.SeesUpAsync(a, b);

            using var publisher = ZeroMq.Publisher(a.InAddress);
            using var atC = ZeroMq.Subscriber(c.OutAddress, "t/");
            using (var atB = ZeroMq.Subscriber(b.OutAddress, "t/"))
            {
                ZeroMq.Handshake(publisher, "t/probe", Timeout, atB, atC);
                publisher.SendNumbers("t/data", 0, 1000);
                Assert.Equal(Range(0, 1000), atB.ReceiveNumbersUntil("t/data", 999, Timeout));
                Assert.Equal(Range(0, 1000), atC.ReceiveNumbersUntil("t/data", 999, Timeout));
            }

            b.Kill();
            // A and C carry on at once, while B is still a member that does not answer.
            publisher.SendNumbers("t/data", 1000, 1000);
            Assert.Equal(Range(1000, 1000), atC.ReceiveNumbersUntil("t/data", 1999, Timeout));

            await a.SaysAsync(b, "is unreachable");
            await a.SaysAsync(b, "was removed");
            await c.SaysAsync(b, "was removed");
            publisher.SendNumbers("t/data", 2000, 1000);
            Assert.Equal(Range(2000, 1000), atC.ReceiveNumbersUntil("t/data", 2999, Timeout));
        }
        finally
        {
            b.Dispose();
        }

        using var b2 = await ClusterHostProcess.CoreAsync("B2", _temp, a);
        await a.SeesUpAsync(b2);
        await c.SeesUpAsync(b2);
        using var publisherAgain = ZeroMq.Publisher(a.InAddress);
        using var atB2 = ZeroMq.Subscriber(b2.OutAddress, "t/");
        using var atCAgain = ZeroMq.Subscriber(c.OutAddress, "t/");
        ZeroMq.Handshake(publisherAgain, "t/probe", Timeout, atB2, atCAgain);
        publisherAgain.SendNumbers("t/data", 3000, 1000);
        Assert.Equal(Range(3000, 1000), atB2.ReceiveNumbersUntil("t/data", 3999, Timeout));
        Assert.Equal(Range(3000, 1000), atCAgain.ReceiveNumbersUntil("t/data", 3999, Timeout));
    }

    [Fact]
    public async Task Node_placed_by_role_must_run_on_the_host_with_the_role_and_again_when_it_comes_back()
    {
        var launchFile = QuickLaunchFile("placed.conf", $$"""
            gecko.nodes.where { type = "Gecko.Launch.TestNodes.PidAnnouncer", assembly = "{{TestNodes.AssemblyPath}}", role = pi, args { topic = where } }
            """);
        using var launcher = await ClusterHostProcess.LaunchAsync("L", _temp, launchFile, seed: null);
        using var other = await ClusterHostProcess.LaunchAsync("C", _temp, QuickLaunchFile("c.conf"), launcher);
        var pi = await ClusterHostProcess.CoreAsync("P", _temp, launcher, "--role", "pi");
        try
        {
            var placed = await launcher.Process.WaitForLineSeenOrNewAsync(l => l.Contains($"where placed on {pi.Address} ", StringComparison.Ordinal), Timeout);
            Assert.Contains($"(pid {pi.Pid}, 1 instance)", placed);
            // What runs there says so itself, and nothing of it runs anywhere else (C and L have no role pi).
            AnnouncedPids(other, pi.Pid);

            pi.Kill();
            await launcher.SaysAsync(pi, "was removed");
        }
        finally
        {
            pi.Dispose();
        }

        using var piAgain = await ClusterHostProcess.CoreAsync("P2", _temp, launcher, "--role", "pi");
        var again = await launcher.Process.WaitForLineAsync(l => l.Contains($"where placed on {piAgain.Address} ", StringComparison.Ordinal), Timeout);
        Assert.Contains($"(pid {piAgain.Pid}, 1 instance)", again);
        AnnouncedPids(other, piAgain.Pid);
        Assert.DoesNotContain(launcher.Process.Transcript.Split('\n'), l => l.Contains("cannot run on", StringComparison.Ordinal));
    }

    /// <summary>Receives the placed node's announcements on <paramref name="host"/>'s hub: each names process <paramref name="pid"/>.</summary>
    private static void AnnouncedPids(ClusterHostProcess host, int pid)
    {
        using var sub = ZeroMq.Subscriber(host.OutAddress, "where");
        var pids = new List<long>();
        var deadline = DateTime.UtcNow + Timeout;
        while (pids.Count < 10)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{pids.Count} announcements at {host.Name} within {Timeout}");
            if (sub.TryReceive(TimeSpan.FromMilliseconds(100)) is not { } message) continue;
            var map = MessagePackSerializer.Deserialize<Dictionary<string, object>>(message.Payload, Core.Messages.GeckoSerializer.Options);
            pids.Add(Convert.ToInt64(map["pid"]));
        }
        Assert.All(pids, p => Assert.Equal(pid, p));
    }

    private static IEnumerable<long> Range(long from, int count) => Enumerable.Range(0, count).Select(i => from + i);
}
