using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Gecko.Core.Discovery;
using Gecko.Core.Discovery.Internal;
using Xunit;

namespace Gecko.Core.Tests.Discovery;

/// <summary>Which interfaces the beacon uses, against this machine's real interfaces (nothing is sent or joined).</summary>
public class MulticastInterfacesTests
{
    private static IPAddress[] NetworkAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.NetworkInterfaceType != NetworkInterfaceType.Loopback && n.OperationalStatus == OperationalStatus.Up && n.SupportsMulticast)
            .Select(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork))
            .OfType<IPAddress>()
            .ToArray();

    [Fact]
    public void ForHub_LoopbackEndpoints_IsLoopbackOnly()
    {
        var chosen = MulticastInterfaces.ForHub(BeaconSettings.Default, "tcp://127.0.0.1:9998", "tcp://localhost:9999");

        Assert.Equal(IPAddress.Loopback, Assert.Single(chosen).Address);
    }

    [Fact]
    public void ForHub_WildcardEndpoint_IsLoopbackAndEveryMulticastInterface()
    {
        var chosen = MulticastInterfaces.ForHub(BeaconSettings.Default, "tcp://0.0.0.0:9998", "tcp://0.0.0.0:9999");

        Assert.Equal([IPAddress.Loopback, .. NetworkAddresses()], chosen.Select(i => i.Address));
    }

    [Fact]
    public void ForHub_SpecificNetworkAddress_IsLoopbackAndThatInterface()
    {
        var network = NetworkAddresses();
        if (network.Length == 0) return; // nothing but loopback here: the case does not arise
        var chosen = MulticastInterfaces.ForHub(BeaconSettings.Default, $"tcp://{network[^1]}:9998", $"tcp://{network[^1]}:9999");

        Assert.Equal([IPAddress.Loopback, network[^1]], chosen.Select(i => i.Address));
    }

    [Fact]
    public void ForLookup_Automatic_IsLoopbackAndEveryMulticastInterface()
    {
        Assert.Equal([IPAddress.Loopback, .. NetworkAddresses()], MulticastInterfaces.ForLookup(BeaconSettings.Default).Select(i => i.Address));
    }

    [Fact]
    public void ForLookup_Configured_IsExactlyThose()
    {
        var chosen = MulticastInterfaces.ForLookup(BeaconSettings.Default.OnInterfaces("lo", "127.0.0.1"));

        Assert.Equal(IPAddress.Loopback, Assert.Single(chosen).Address);
    }

    [Theory]
    [InlineData("tcp://0.0.0.0:9998", "tcp://192.0.2.7:9998")]
    [InlineData("tcp://*:9998", "tcp://192.0.2.7:9998")]
    [InlineData("tcp://127.0.0.1:9998", "tcp://127.0.0.1:9998")]
    [InlineData("tcp://robot1.local:9998", "tcp://robot1.local:9998")]
    [InlineData("ipc:///tmp/gecko-in.sock", "ipc:///tmp/gecko-in.sock")]
    [InlineData("ipc://@*:0", "ipc://@*:0")]
    public void Reachable_WildcardHost_BecomesTheLocalAddress(string endpoint, string expected)
    {
        Assert.Equal(expected, MulticastInterfaces.Reachable(endpoint, IPAddress.Parse("192.0.2.7")));
    }

    [Fact]
    public void ForLookup_NonLocalAddress_IsRefused()
    {
        var error = Assert.Throws<GeckoConfigurationException>(() => BeaconSettings.Default.OnInterfaces("203.0.113.9"));

        Assert.Contains("203.0.113.9 is not an address of this machine", error.Message);
    }
}
