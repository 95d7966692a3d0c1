using Gecko.Core.Messages;
using Gecko.Launch.Tests.LaunchFiles;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Cluster;

/// <summary>
/// Three real gecko hosts on 127.0.0.1 (separate processes, OS-chosen ports): topics flow between them exactly once,
/// in order, and only to hosts with a matching subscriber.
/// </summary>
public sealed class ClusterRoutingTests : IDisposable
{
    private static readonly TimeSpan Timeout = ClusterHostProcess.Timeout;
    private readonly TempFolder _temp = new("gecko-cluster-test-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Three_hosts_must_deliver_every_message_once_in_order_and_only_where_wanted()
    {
        // A relays what its actor receives on "count" to "relayed"; B counts on "count" in process; C only routes.
        var relay = _temp.Write("a.conf", $$"""
            gecko.nodes.relay { type = "Gecko.Launch.TestNodes.Relay", assembly = "{{TestNodes.AssemblyPath}}", args { from = count, to = relayed } }
            """);
        var counter = _temp.Write("b.conf", $$"""
            gecko.nodes.counter { type = "Gecko.Launch.TestNodes.Counter", assembly = "{{TestNodes.AssemblyPath}}", args { topic = count, hz = 100, batch = 10 } }
            """);
        using var a = await ClusterHostProcess.LaunchAsync("A", _temp, relay, seed: null);
        using var b = await ClusterHostProcess.LaunchAsync("B", _temp, counter, a);
        using var c = await ClusterHostProcess.CoreAsync("C", _temp, a);
        await a.SeesUpAsync(a, b, c);
        await b.SeesUpAsync(a, b, c);
        await c.SeesUpAsync(a, b, c);

        // External PUB on A → external SUB on C.
        using var publisher = ZeroMq.Publisher(a.InAddress);
        using var atC = ZeroMq.Subscriber(c.OutAddress, "sensors/");
        ZeroMq.Handshake(publisher, "sensors/probe", Timeout, atC);
        const int count = 3000;
        publisher.SendNumbers("sensors/imu", 0, count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), atC.ReceiveNumbersUntil("sensors/imu", count - 1, Timeout));

        // In-process publisher on B → actor on A (which relays, in the order it received, to a SUB on A).
        using var relayed = ZeroMq.Subscriber(a.OutAddress, "relayed");
        var numbers = new List<long>();
        var deadline = DateTime.UtcNow + Timeout;
        while (numbers.Count < 2000)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{numbers.Count} relayed messages within {Timeout}");
            if (relayed.TryReceive(TimeSpan.FromMilliseconds(100)) is not { } message) continue;
            numbers.Add((long)GeckoSerializer.Decode<Vector>(message.Payload).X);
        }
        // The counter runs from before the subscription reached B: the relayed numbers start anywhere, then none is
        // missing, none twice, none out of order.
        Assert.Equal(Enumerable.Range(0, numbers.Count).Select(i => numbers[0] + i), numbers);

        // Only hosts with a matching subscriber get a topic: B sends "count" to A alone, and C never hears of it.
        // (A member's counts join the report once a second, its topics' at every report: wait for both.)
        var reportAtB = await b.ReportAsync(r => ClusterHostProcess.ClusterCounts(r, "count")?.Out >= numbers.Count
            && ClusterHostProcess.SentTo(r, a) >= numbers.Count, "with count sent to A");
        Assert.Equal(0, ClusterHostProcess.SentTo(reportAtB, c));
        var reportAtC = await c.ReportAsync(r => ClusterHostProcess.ClusterCounts(r, "sensors/imu")?.In == count, "with every sensors/imu message in");
        Assert.Null(ClusterHostProcess.ClusterCounts(reportAtC, "count"));
        Assert.Null(ClusterHostProcess.ClusterCounts(reportAtC, "relayed"));
        var reportAtA = await a.ReportAsync(r => ClusterHostProcess.ClusterCounts(r, "sensors/imu")?.Out == count, "with every sensors/imu message out");
        Assert.Equal(0, ClusterHostProcess.SentTo(reportAtA, b)); // B subscribes to nothing
        Assert.Equal(0, ClusterHostProcess.ClusterCounts(reportAtA, "relayed")?.Out); // wanted on A only
    }
}
