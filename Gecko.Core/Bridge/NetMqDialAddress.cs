using System.Net;
using Gecko.Core.Bridge.Internal;

namespace Gecko.Core.Bridge;

/// <summary>
/// What a NetMQ socket should <c>Connect</c> to for a hub endpoint. A <c>tcp://</c> endpoint is itself. For an
/// <c>ipc://</c> endpoint — a Unix domain socket, which NetMQ cannot dial (its own <c>ipc://</c> is a loopback TCP port
/// derived from a per-process string hash) — a private loopback port is served and every connection to it is relayed
/// to the Unix socket, so a .NET node reaches a hub over <c>ipc://</c> as a pyzmq node does.
/// </summary>
/// <remarks>Dispose it after the NetMQ socket that connected to <see cref="Address"/> is closed.</remarks>
public sealed class NetMqDialAddress : IDisposable
{
    private readonly UnixSocketRelay? _relay;

    private NetMqDialAddress(string endpoint, string address, UnixSocketRelay? relay)
    {
        Endpoint = endpoint;
        Address = address;
        _relay = relay;
    }

    /// <summary>The hub endpoint, as given.</summary>
    public string Endpoint { get; }

    /// <summary>What to hand to NetMQ's <c>Connect</c>.</summary>
    public string Address { get; }

    /// <summary>Connections relayed to the Unix socket now (0 for <c>tcp://</c>).</summary>
    public int RelayedConnections => _relay?.ActiveConnections ?? 0;

    /// <summary>The dial address for <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint">A hub endpoint: <c>tcp://host:port</c> or <c>ipc:///path</c>.</param>
    /// <param name="maxConnections">The most connections relayed at once (one socket makes one, while connected).</param>
    /// <exception cref="GeckoConfigurationException">The endpoint is malformed.</exception>
    public static NetMqDialAddress For(string endpoint, int maxConnections = 16)
    {
        Wire.Endpoint.Validate(endpoint, "endpoint");
        if (!Wire.Endpoint.IsIpc(endpoint)) return new NetMqDialAddress(endpoint, endpoint, null);
        var relay = UnixSocketRelay.StartDialer(Wire.Endpoint.IpcPath(endpoint), maxConnections);
        var port = ((IPEndPoint)relay.ListenerEndPoint).Port;
        return new NetMqDialAddress(endpoint, $"{Wire.Endpoint.TcpScheme}127.0.0.1:{port}", relay);
    }

    /// <summary>Stops relaying (closes the relayed connections).</summary>
    public void Dispose() => _relay?.Dispose();

    /// <inheritdoc />
    public override string ToString() => Address == Endpoint ? Endpoint : $"{Endpoint} (via {Address})";
}
