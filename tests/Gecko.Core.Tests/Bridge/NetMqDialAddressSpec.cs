using System.Buffers.Binary;
using Gecko.Core.Bridge;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests.Bridge;

/// <summary>.NET (NetMQ) nodes reach a hub over ipc:// through a dial address, as pyzmq nodes reach it directly.</summary>
public sealed class NetMqDialAddressSpec : HubSpec
{
    private string InSocket => Folder.Combine("in.sock");
    private string OutSocket => Folder.Combine("out.sock");

    protected override string HubConfig => $"in-address = \"ipc://{InSocket}\"\nout-address = \"ipc://{OutSocket}\"";

    private static byte[] Sequence(int i)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(payload, i);
        return payload;
    }

    [Fact]
    public void For_TcpEndpoint_IsTheEndpointItself()
    {
        using var address = NetMqDialAddress.For("tcp://127.0.0.1:9");

        Assert.Equal("tcp://127.0.0.1:9", address.Address);
        Assert.Equal(0, address.RelayedConnections);
    }

    [Fact]
    public void For_MalformedEndpoint_Throws() =>
        Assert.Throws<GeckoConfigurationException>(() => NetMqDialAddress.For("ipc://"));

    [Fact]
    public async Task NetMq_nodes_must_publish_and_subscribe_through_a_hub_on_ipc_endpoints()
    {
        using var inAddress = NetMqDialAddress.For(Hub.InAddress);
        using var outAddress = NetMqDialAddress.For(Hub.OutAddress);
        Assert.StartsWith("tcp://127.0.0.1:", inAddress.Address);

        using (var publisher = ZeroMqNodes.Publisher(inAddress.Address))
        using (var subscriber = ZeroMqNodes.Subscriber(outAddress.Address, "imu"))
        {
            ZeroMqNodes.Handshake(publisher, subscriber, Timeout);
            for (var i = 0; i < 1000; i++) publisher.Send("imu", Sequence(i));
            publisher.Send(ZeroMqNodes.EndTopic(0), []);

            var received = subscriber.ReceiveUntilEnd(1, Timeout);

            Assert.Equal(Enumerable.Range(0, 1000).Select(Sequence), received.Select(r => r.Payload));
            Assert.Equal(1, inAddress.RelayedConnections);
            Assert.Equal(1, outAddress.RelayedConnections);
        }
        await Eventually.UntilAsync(() => inAddress.RelayedConnections == 0 && outAddress.RelayedConnections == 0, Timeout,
            "the relayed connections closed with their sockets");
        Assert.Equal(1000, (await Hub.GetStatsAsync()).Topic("imu")!.Messages);
    }

    [Fact]
    public async Task NetMq_nodes_must_reach_a_hub_restarted_on_the_same_ipc_paths()
    {
        using var inAddress = NetMqDialAddress.For(Hub.InAddress);
        using var outAddress = NetMqDialAddress.For(Hub.OutAddress);
        using var publisher = ZeroMqNodes.Publisher(inAddress.Address);
        using var subscriber = ZeroMqNodes.Subscriber(outAddress.Address, "imu");
        ZeroMqNodes.Handshake(publisher, subscriber, Timeout);

        await Hub.DisposeAsync();
        var hub = await StartHubAsync(""); // the same ipc paths (HubConfig)

        // ZeroMQ reconnects by itself; the relay dials the new hub's sockets. Same handshake, then data.
        ZeroMqNodes.Handshake(publisher, subscriber, Timeout);
        publisher.Send("imu", Sequence(7));
        publisher.Send(ZeroMqNodes.EndTopic(0), []);
        Assert.Equal([Sequence(7)], subscriber.ReceiveUntilEnd(1, Timeout).Select(r => r.Payload));
        Assert.Equal(1, (await hub.GetStatsAsync()).Topic("imu")!.Messages);
    }
}
