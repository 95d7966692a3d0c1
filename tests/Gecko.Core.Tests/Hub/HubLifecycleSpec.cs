using System.Net;
using System.Net.Sockets;
using Gecko.Core.Bridge;
using Gecko.Core.Routing;
using Xunit;

namespace Gecko.Core.Tests.Hub;

/// <summary>Stopping a hub frees what it held, so the next one can start in its place at once.</summary>
public sealed class HubLifecycleSpec : HubSpec
{
    [Fact]
    public async Task Hub_must_free_its_ports_on_stop_so_a_new_hub_binds_them_at_once()
    {
        var (inAddress, outAddress) = (Hub.InAddress, Hub.OutAddress);
        // Connected peers on both sides: their connections are closed by the hub when it stops.
        using var publisher = ZeroMqNodes.Publisher(inAddress);
        using var subscriber = ZeroMqNodes.Subscriber(outAddress, "t");
        ZeroMqNodes.Handshake(publisher, subscriber, Timeout);

        for (var restart = 0; restart < 3; restart++)
        {
            await Hub.DisposeAsync();
            var hub = await StartHubAsync($"in-address = \"{inAddress}\"\nout-address = \"{outAddress}\"");

            Assert.Equal(inAddress, hub.InAddress);
            // The same peers reconnect by themselves and are served by the new hub.
            ZeroMqNodes.Handshake(publisher, subscriber, Timeout);
            await hub.DisposeAsync();
        }
    }

    [Fact]
    public void Bridge_must_have_released_its_ports_when_dispose_returns()
    {
        for (var round = 0; round < 20; round++)
        {
            var bridge = NetMqBridge.Start(Settings(), new TopicRegistry(10), new HubCounters(), CreateTestProbe().Ref);
            var ports = new[] { bridge.InAddress, bridge.OutAddress }.Select(a => int.Parse(a[(a.LastIndexOf(':') + 1)..])).ToArray();

            bridge.Dispose();

            foreach (var port in ports)
            {
                // Bound as NetMQ binds (address reuse on): fails only while something still listens there.
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ExclusiveAddressUse = false };
                probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }
        }
    }
}
