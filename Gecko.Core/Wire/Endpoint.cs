using System.Text;

namespace Gecko.Core.Wire;

/// <summary>
/// ZeroMQ endpoint strings as the hub accepts them: <c>tcp://host:port</c> and <c>ipc:///path/to/socket</c>
/// (or <c>ipc://@name</c>, a Linux abstract socket).
/// </summary>
/// <remarks>
/// <c>ipc://</c> means what it means to libzmq: a Unix domain socket, so a pyzmq node on this machine connects with
/// <c>ipc:///path</c>. NetMQ's own <c>ipc://</c> is a loopback TCP port derived from a per-process string hash that no
/// other process can find; the hub therefore serves a real Unix socket itself (see the bridge).
/// </remarks>
public static class Endpoint
{
    /// <summary>The scheme of TCP endpoints.</summary>
    public const string TcpScheme = "tcp://";

    /// <summary>The scheme of Unix domain socket endpoints.</summary>
    public const string IpcScheme = "ipc://";

    /// <summary>The longest Unix socket path, in bytes: <c>sun_path</c> holds 108 including the terminating zero.</summary>
    public const int MaxIpcPathBytes = 107;

    /// <summary>Throws a clear error when <paramref name="endpoint"/> is not a usable tcp:// or ipc:// endpoint.</summary>
    /// <param name="endpoint">The endpoint to check.</param>
    /// <param name="what">What the endpoint is for, named in the error (a config key or a flag).</param>
    /// <exception cref="GeckoConfigurationException">The endpoint is malformed.</exception>
    public static void Validate(string? endpoint, string what)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
            throw new GeckoConfigurationException($"{what} is empty: give an endpoint such as tcp://127.0.0.1:9998.");
        if (endpoint.StartsWith(IpcScheme, StringComparison.Ordinal))
        {
            ValidateIpc(endpoint, what);
            return;
        }
        if (!endpoint.StartsWith(TcpScheme, StringComparison.Ordinal))
            throw new GeckoConfigurationException(
                $"{what} = '{endpoint}' is neither a tcp:// nor an ipc:// endpoint: write tcp://127.0.0.1:9998 or ipc:///tmp/gecko-in.sock.");
        var hostPort = endpoint[TcpScheme.Length..];
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || colon == hostPort.Length - 1)
            throw new GeckoConfigurationException($"{what} = '{endpoint}' needs a host and a port: write tcp://127.0.0.1:9998.");
        var port = hostPort[(colon + 1)..];
        if (port != "*" && (!int.TryParse(port, out var number) || number is < 0 or > 65535))
            throw new GeckoConfigurationException($"{what} = '{endpoint}' has port '{port}': use a number from 0 to 65535, or * for any free port.");
    }

    /// <summary>Whether <paramref name="endpoint"/> is a Unix domain socket (<c>ipc://</c>).</summary>
    public static bool IsIpc(string endpoint) => endpoint.StartsWith(IpcScheme, StringComparison.Ordinal);

    /// <summary>
    /// The socket path of an <c>ipc://</c> endpoint as the operating system takes it: a file path, or for
    /// <c>ipc://@name</c> an abstract name starting with a zero character (libzmq's convention).
    /// </summary>
    public static string IpcPath(string endpoint)
    {
        var path = endpoint[IpcScheme.Length..];
        return path.StartsWith('@') ? "\0" + path[1..] : path;
    }

    /// <summary>Whether an <c>ipc://</c> endpoint is a Linux abstract socket (no file on disk).</summary>
    public static bool IsAbstractIpc(string endpoint) => IsIpc(endpoint) && endpoint.Length > IpcScheme.Length && endpoint[IpcScheme.Length] == '@';

    /// <summary>Whether <paramref name="endpoint"/> listens beyond this machine (not loopback). Unix sockets never do.</summary>
    public static bool IsNetworkFacing(string endpoint)
    {
        if (!endpoint.StartsWith(TcpScheme, StringComparison.Ordinal)) return false;
        var hostPort = endpoint[TcpScheme.Length..];
        var host = hostPort[..Math.Max(0, hostPort.LastIndexOf(':'))].Trim('[', ']');
        return !(host is "localhost" or "::1" || host.StartsWith("127.", StringComparison.Ordinal));
    }

    private static void ValidateIpc(string endpoint, string what)
    {
        var path = endpoint[IpcScheme.Length..];
        if (path.Length == 0 || path == "@")
            throw new GeckoConfigurationException($"{what} = '{endpoint}' names no socket: write ipc:///tmp/gecko-in.sock (note the third slash of an absolute path).");
        if (path.Contains('\0'))
            throw new GeckoConfigurationException($"{what} = '{endpoint}' contains a zero character: give a plain file path.");
        if (path == "*")
            throw new GeckoConfigurationException($"{what} = '{endpoint}': ipc://* (a generated name) is not supported: give a path such as ipc:///tmp/gecko-in.sock.");
        var bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > MaxIpcPathBytes)
            throw new GeckoConfigurationException(
                $"{what} = '{endpoint}': the socket path is {bytes} bytes, and Unix sockets allow at most {MaxIpcPathBytes}; use a shorter path such as ipc:///tmp/gecko-in.sock.");
        if (!path.StartsWith('@') && path.EndsWith('/'))
            throw new GeckoConfigurationException($"{what} = '{endpoint}' names a folder: add a file name, e.g. {endpoint}gecko-in.sock.");
    }
}
