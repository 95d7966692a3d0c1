using System.Buffers.Binary;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Gecko.Core.Messages;
using Gecko.Core.Routing;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests.Cluster;

/// <summary>
/// Three cluster hosts in this process (each its own actor system, hub and TCP ports on loopback): topics flow
/// between them exactly once, in order, and only to hosts that want them.
/// </summary>
public sealed class ClusterRoutingSpec : TestKit, IAsyncLifetime
{
    private const int Count = 2000;
    private ClusterHost _a = null!;
    private ClusterHost _b = null!;
    private ClusterHost _c = null!;

    public ClusterRoutingSpec() : base("akka.loglevel = WARNING") { }

    public async Task InitializeAsync()
    {
        _a = await ClusterHost.StartAsync();
        _b = await ClusterHost.StartAsync(_a);
        _c = await ClusterHost.StartAsync(_a);
        foreach (var host in new[] { _a, _b, _c }) await host.MembersUpAsync(3);
    }

    public async Task DisposeAsync()
    {
        foreach (var host in new[] { _c, _b, _a }) await host.DisposeAsync();
    }

    private static byte[] Numbered(int sequence)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(payload, sequence);
        return payload;
    }

    [Fact]
    public async Task External_publisher_on_one_host_must_reach_an_external_subscriber_on_another_once_and_in_order()
    {
        using var publisher = ZeroMqNodes.Publisher(_a.Hub.InAddress);
        using var subscriber = ZeroMqNodes.Subscriber(_c.Hub.OutAddress, "sensors/");
        // Probes cross only once C's prefixes reached A and the publisher is connected: no sleeping.
        ZeroMqNodes.Handshake(publisher, subscriber, ClusterHost.Timeout);

        for (var i = 0; i < Count; i++) publisher.Send(i % 2 == 0 ? "sensors/imu" : "sensors/sonar", Numbered(i));
        publisher.Send("other", Numbered(-1));
        publisher.Send(ZeroMqNodes.EndTopic(0), []);

        var received = subscriber.ReceiveUntilEnd(1, ClusterHost.Timeout);
        Assert.Equal(Enumerable.Range(0, Count), received.Select(r => BinaryPrimitives.ReadInt32LittleEndian(r.Payload)));
        Assert.All(received, r => Assert.StartsWith("sensors/", r.Topic));

        var stats = await _a.Hub.GetStatsAsync();
        Assert.Equal(Count / 2, stats.Topic("sensors/imu")!.Cluster.MessagesOut);
        Assert.Equal(0, stats.Topic("other")!.Cluster.MessagesOut); // nobody anywhere wants it
        var atC = await _c.Hub.GetStatsAsync();
        Assert.Equal(Count / 2, atC.Topic("sensors/imu")!.Cluster.MessagesIn);
        Assert.Null(atC.Topic("other"));
    }

    [Fact]
    public async Task In_process_publisher_on_one_host_must_reach_an_actor_on_another_and_no_host_without_subscribers()
    {
        var subscriber = CreateTestProbe(_a.System);
        _a.Hub.Router.Tell(new TopicRouter.Subscribe("cmd", subscriber), subscriber);
        subscriber.ExpectMsg<TopicRouter.SubscribeAck>();
        await _b.KnowsInterestOfAsync(_a, m => m.InterestTopics > 0);

        // Typed messages are encoded once on their host and decoded by the subscriber's host.
        for (var i = 0; i < Count; i++) _b.Hub.Router.Tell(new TopicRouter.Publish("cmd", new Vector(i, 0, 0)));

        for (var i = 0; i < Count; i++)
        {
            var message = subscriber.ExpectMsg<TopicRouter.TopicMessage>(ClusterHost.Timeout);
            Assert.Equal("cmd", message.Topic);
            Assert.Equal(new Vector(i, 0, 0), GeckoSerializer.Decode<Vector>((byte[])message.Message));
        }
        subscriber.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        var atB = await _b.Hub.GetStatsAsync();
        Assert.Equal(Count, atB.Topic("cmd")!.Cluster.MessagesOut); // to A only
        var atA = await _a.Hub.GetStatsAsync();
        Assert.Equal(Count, atA.Topic("cmd")!.Cluster.MessagesIn);
        var atC = await _c.Hub.GetStatsAsync();
        Assert.Null(atC.Topic("cmd")); // C wants nothing: nothing crossed to it
        var cSeenFromB = atB.Cluster!.Members.Single(m => m.Address == _c.Address);
        Assert.Equal(0, cSeenFromB.SentMessages);
    }
}
