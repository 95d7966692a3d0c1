namespace Gecko.Core.Wire;

/// <summary>
/// ZeroMQ endpoint strings as the hub accepts them: <c>tcp://host:port</c>. <c>ipc://</c> is refused on purpose:
/// NetMQ implements it as a loopback TCP port derived from a per-process randomized string hash, so neither a
/// libzmq (pyzmq) node nor another .NET process could reach it.
/// </summary>
public static class Endpoint
{
    /// <summary>Throws a clear error when <paramref name="endpoint"/> is not a tcp:// or ipc:// endpoint.</summary>
    /// <param name="endpoint">The endpoint to check.</param>
    /// <param name="what">What the endpoint is for, named in the error (a config key or a flag).</param>
    /// <exception cref="GeckoConfigurationException">The endpoint is malformed.</exception>
    public static void Validate(string? endpoint, string what)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
            throw new GeckoConfigurationException($"{what} is empty: give an endpoint such as tcp://127.0.0.1:9998.");
        if (endpoint.StartsWith("ipc://", StringComparison.Ordinal))
            throw new GeckoConfigurationException(
                $"{what} = '{endpoint}': ipc:// is not supported, because NetMQ's ipc is not a Unix socket and other processes cannot reach it; use tcp://127.0.0.1:PORT instead.");
        if (!endpoint.StartsWith("tcp://", StringComparison.Ordinal))
            throw new GeckoConfigurationException($"{what} = '{endpoint}' is not a tcp:// endpoint: write tcp://127.0.0.1:9998.");
        var hostPort = endpoint["tcp://".Length..];
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || colon == hostPort.Length - 1)
            throw new GeckoConfigurationException($"{what} = '{endpoint}' needs a host and a port: write tcp://127.0.0.1:9998.");
        var port = hostPort[(colon + 1)..];
        if (port != "*" && (!int.TryParse(port, out var number) || number is < 0 or > 65535))
            throw new GeckoConfigurationException($"{what} = '{endpoint}' has port '{port}': use a number from 0 to 65535, or * for any free port.");
    }

    /// <summary>Whether <paramref name="endpoint"/> listens beyond this machine (not loopback).</summary>
    public static bool IsNetworkFacing(string endpoint)
    {
        if (!endpoint.StartsWith("tcp://", StringComparison.Ordinal)) return false;
        var hostPort = endpoint["tcp://".Length..];
        var host = hostPort[..Math.Max(0, hostPort.LastIndexOf(':'))].Trim('[', ']');
        return !(host is "localhost" or "::1" || host.StartsWith("127.", StringComparison.Ordinal));
    }
}
