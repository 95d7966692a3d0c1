using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Gecko.Core.Wire;

namespace Gecko.Core.Discovery.Internal;

/// <summary>An interface the beacon answers or asks on: its name (for messages) and the IPv4 address that selects it.</summary>
internal sealed record MulticastInterface(string Name, IPAddress Address)
{
    public override string ToString() => Name == Address.ToString() ? Name : $"{Name} ({Address})";
}

/// <summary>
/// Which interfaces the beacon uses. Loopback is always one of them when nothing else is configured: Linux delivers
/// multicast on <c>lo</c> once a socket joins the group there and a sender picks it with IP_MULTICAST_IF, even though
/// <c>lo</c> does not carry the MULTICAST flag, so hubs and nodes on one machine find each other with no network at all.
/// </summary>
internal static class MulticastInterfaces
{
    private static readonly MulticastInterface Loopback = new("lo", IPAddress.Loopback);

    /// <summary>Where a look-up asks: the configured interfaces, or loopback and every multicast interface that is up.</summary>
    public static IReadOnlyList<MulticastInterface> ForLookup(BeaconSettings settings) =>
        settings.Interfaces.Count > 0 ? Configured(settings.Interfaces) : [LoopbackInterface(), .. NetworkInterfaces()];

    /// <summary>
    /// Where a hub listening on <paramref name="endpoints"/> answers: the configured interfaces, or loopback plus — when
    /// it listens on the network — the interfaces its endpoints are reachable on (all of them for a wildcard or a name).
    /// </summary>
    public static IReadOnlyList<MulticastInterface> ForHub(BeaconSettings settings, params string[] endpoints)
    {
        if (settings.Interfaces.Count > 0) return Configured(settings.Interfaces);
        var chosen = new List<MulticastInterface> { LoopbackInterface() };
        var network = NetworkInterfaces();
        foreach (var endpoint in endpoints.Where(Endpoint.IsNetworkFacing))
        {
            var host = EndpointHost(endpoint);
            var specific = IPAddress.TryParse(host, out var address) && !IsWildcard(address)
                ? network.Where(i => i.Address.Equals(address)).ToArray()
                : network;
            chosen.AddRange(specific);
        }
        return chosen.DistinctBy(i => i.Address).ToArray();
    }

    /// <summary>Whether <paramref name="address"/> belongs to this machine.</summary>
    public static bool IsLocal(IPAddress address)
    {
        if (IPAddress.IsLoopback(address)) return true;
        return AllInterfaces().Any(n => n.GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(address)));
    }

    /// <summary>The host part of a <c>tcp://host:port</c> endpoint.</summary>
    public static string EndpointHost(string endpoint)
    {
        var hostPort = endpoint.StartsWith("tcp://", StringComparison.Ordinal) ? endpoint["tcp://".Length..] : endpoint;
        return hostPort[..Math.Max(0, hostPort.LastIndexOf(':'))].Trim('[', ']');
    }

    /// <summary>
    /// <paramref name="endpoint"/> as someone at the other end of <paramref name="local"/> reaches it: a wildcard host
    /// (<c>0.0.0.0</c>, <c>*</c>) becomes <paramref name="local"/>; anything else is already reachable, or is not ours to fix.
    /// </summary>
    public static string Reachable(string endpoint, IPAddress local)
    {
        // ipc:// names a socket file on the hub's machine: nothing to rewrite (and only good there).
        if (!endpoint.StartsWith("tcp://", StringComparison.Ordinal)) return endpoint;
        var host = EndpointHost(endpoint);
        if (host != "*" && !(IPAddress.TryParse(host, out var address) && IsWildcard(address))) return endpoint;
        var port = endpoint[(endpoint.LastIndexOf(':') + 1)..];
        var shown = local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
        return $"tcp://{shown}:{port}";
    }

    /// <summary>The local address this machine sends from to reach <paramref name="remote"/> (no packet is sent).</summary>
    public static IPAddress LocalAddressFacing(IPAddress remote)
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(new IPEndPoint(remote, 9));
            return ((IPEndPoint)probe.LocalEndPoint!).Address;
        }
        catch (SocketException)
        {
            return IPAddress.Loopback;
        }
    }

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static IReadOnlyList<MulticastInterface> Configured(IReadOnlyList<string> names)
    {
        var chosen = new List<MulticastInterface>();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                if (address.AddressFamily != AddressFamily.InterNetwork)
                    throw new GeckoConfigurationException($"beacon interface '{name}' is not an IPv4 address, and the beacon is IPv4 multicast. Available: {Available()}.");
                if (!IsLocal(address))
                    throw new GeckoConfigurationException($"beacon interface {name} is not an address of this machine. Available: {Available()}.");
                chosen.Add(IPAddress.IsLoopback(address) ? LoopbackInterface() : new MulticastInterface(NameOf(address) ?? name, address));
                continue;
            }
            var match = AllInterfaces().FirstOrDefault(n => n.Name == name);
            var ipv4 = match is null ? null : FirstIPv4(match);
            if (ipv4 is null)
                throw new GeckoConfigurationException($"beacon interface '{name}': no interface of that name with an IPv4 address here. Available: {Available()}.");
            chosen.Add(new MulticastInterface(name, ipv4));
        }
        return chosen.DistinctBy(i => i.Address).ToArray();
    }

    private static MulticastInterface LoopbackInterface()
    {
        var lo = AllInterfaces().FirstOrDefault(n => n.NetworkInterfaceType == NetworkInterfaceType.Loopback);
        return lo is null ? Loopback : new MulticastInterface(lo.Name, IPAddress.Loopback);
    }

    /// <summary>Up, multicast-capable, non-loopback interfaces with an IPv4 address.</summary>
    private static IReadOnlyList<MulticastInterface> NetworkInterfaces() =>
        AllInterfaces()
            .Where(n => n.NetworkInterfaceType != NetworkInterfaceType.Loopback && n.OperationalStatus == OperationalStatus.Up && n.SupportsMulticast)
            .Select(n => (n.Name, Address: FirstIPv4(n)))
            .Where(n => n.Address is not null)
            .Select(n => new MulticastInterface(n.Name, n.Address!))
            .ToArray();

    private static IPAddress? FirstIPv4(NetworkInterface n) =>
        n.GetIPProperties().UnicastAddresses.Select(u => u.Address).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);

    private static string? NameOf(IPAddress address) =>
        AllInterfaces().FirstOrDefault(n => n.GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(address)))?.Name;

    private static string Available()
    {
        var list = AllInterfaces()
            .Select(n => (n.Name, Address: FirstIPv4(n)))
            .Where(n => n.Address is not null)
            .Select(n => $"{n.Name} ({n.Address})")
            .ToArray();
        return list.Length == 0 ? "none with an IPv4 address" : string.Join(", ", list);
    }

    private static NetworkInterface[] AllInterfaces()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
