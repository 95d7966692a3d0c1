using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Gecko.Core.Bridge.Internal;

/// <summary>
/// Relays byte streams between a Unix domain socket and loopback TCP, both ways: the hub serves a Unix socket in
/// front of its TCP-bound ZeroMQ socket (<see cref="Start"/>), and a .NET node dials a Unix socket through a private
/// loopback port (<see cref="StartDialer"/>).
/// </summary>
/// <remarks>
/// NetMQ 4's <c>ipc://</c> is not a Unix socket (it is a loopback TCP port derived from a per-process randomized
/// string hash), so pyzmq and other libzmq nodes could never reach a NetMQ socket over ipc. ZMTP does not care what
/// carries its bytes, though: the hub binds its ZeroMQ socket on an OS-chosen loopback port and this relay copies each
/// Unix connection to a TCP connection of its own, so a libzmq node on the Unix socket talks to NetMQ as if directly.
/// <para>
/// Each direction of a connection is one async copy loop. It waits for data with a zero-byte receive, so an idle
/// connection holds no buffer; a busy one borrows a pooled chunk per read. Connections are bounded; past the bound
/// new ones are closed at once. Stopping closes the listener and every connection and removes the socket file.
/// </para>
/// </remarks>
internal sealed class UnixSocketRelay : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _listener;
    private readonly EndPoint _target;
    private readonly int _maxConnections;
    private readonly string? _socketFile;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();
    private readonly Task _accepting;
    private long _accepted;
    private long _refused;
    private int _disposed;

    private UnixSocketRelay(Socket listener, string? socketFile, EndPoint target, int maxConnections)
    {
        _listener = listener;
        _socketFile = socketFile;
        _target = target;
        _maxConnections = maxConnections;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>Where the relay listens (the loopback port of a dialer).</summary>
    public EndPoint ListenerEndPoint => _listener.LocalEndPoint!;

    /// <summary>Connections being relayed now.</summary>
    public int ActiveConnections => _connections.Count;

    /// <summary>Connections accepted since the start.</summary>
    public long AcceptedConnections => Interlocked.Read(ref _accepted);

    /// <summary>Connections closed at once because <c>maxConnections</c> were open.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refused);

    /// <summary>
    /// Binds the Unix socket of <paramref name="endpoint"/> and starts relaying to <paramref name="target"/>.
    /// A socket file left behind by a process that is gone is replaced; a live one, or a file that is not a socket,
    /// is an error.
    /// </summary>
    /// <param name="endpoint">The <c>ipc://</c> endpoint, for messages.</param>
    /// <param name="path">The socket path (a leading zero character makes it a Linux abstract socket).</param>
    /// <param name="target">Where each connection is relayed to.</param>
    /// <param name="maxConnections">The most connections relayed at once.</param>
    /// <exception cref="GeckoBindException">The socket cannot be served at <paramref name="path"/>.</exception>
    public static UnixSocketRelay Start(string endpoint, string path, EndPoint target, int maxConnections)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConnections);
        var isAbstract = path.StartsWith('\0');
        if (!Socket.OSSupportsUnixDomainSockets || (isAbstract && !OperatingSystem.IsLinux()))
            throw new GeckoBindException(endpoint, $"Cannot bind {endpoint}: this system has no {(isAbstract ? "abstract " : "")}Unix domain sockets; use tcp://127.0.0.1:PORT.");
        if (!isAbstract) PrepareSocketFile(endpoint, path);

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(128);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            var reason = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the socket is in use by another process (is another hub running? stop it or pick another path)",
                SocketError.AccessDenied => "permission denied: pick a folder this user may write to",
                _ => e.Message,
            };
            throw new GeckoBindException(endpoint, $"Cannot bind {endpoint}: {reason}.", e);
        }
        return new UnixSocketRelay(listener, isAbstract ? null : path, target, maxConnections);
    }

    /// <summary>
    /// Listens on an OS-chosen loopback TCP port and relays every connection to the Unix socket at
    /// <paramref name="path"/>, for a NetMQ socket, which cannot dial a Unix socket itself. While nothing listens at
    /// the path, connections are closed at once and the ZeroMQ socket retries as it does for any endpoint.
    /// </summary>
    public static UnixSocketRelay StartDialer(string path, int maxConnections)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConnections);
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(16);
        }
        catch (SocketException)
        {
            listener.Dispose();
            throw;
        }
        return new UnixSocketRelay(listener, socketFile: null, new UnixDomainSocketEndPoint(path), maxConnections);
    }

    /// <summary>Stops accepting, closes every relayed connection and removes the socket file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _listener.Dispose();
        var running = new List<Task> { _accepting };
        foreach (var connection in _connections.Keys)
        {
            connection.Abort();
            running.Add(connection.Completion);
        }
        try
        {
            Task.WaitAll(running.ToArray(), StopTimeout);
        }
        catch (AggregateException) { }
        if (_socketFile is not null) TryDelete(_socketFile);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(token);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException)
            {
                // Typically out of file descriptors: back off instead of spinning on a listener that fails at once.
                try { await Task.Delay(100, token); }
                catch (OperationCanceledException) { return; }
                continue;
            }

            if (_connections.Count >= _maxConnections)
            {
                Interlocked.Increment(ref _refused);
                client.Dispose();
                continue;
            }
            Interlocked.Increment(ref _accepted);
            var connection = new Connection(Tuned(client), Tuned(new Socket(_target.AddressFamily, SocketType.Stream,
                _target.AddressFamily == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp)));
            _connections.TryAdd(connection, 0);
            connection.Completion = RelayAsync(connection, token);
        }
    }

    private async Task RelayAsync(Connection connection, CancellationToken token)
    {
        try
        {
            await connection.Upstream.ConnectAsync(_target, token);
            var up = PumpAsync(connection.Client, connection.Upstream, connection, token);
            var down = PumpAsync(connection.Upstream, connection.Client, connection, token);
            await Task.WhenAll(up, down);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException) { }
        finally
        {
            connection.Abort();
            _connections.TryRemove(connection, out _);
        }
    }

    /// <summary>ZeroMQ frames small messages: on TCP, Nagle's algorithm would hold them back.</summary>
    private static Socket Tuned(Socket socket)
    {
        if (socket.AddressFamily != AddressFamily.Unix) socket.NoDelay = true;
        return socket;
    }

    /// <summary>Copies <paramref name="from"/> to <paramref name="to"/> until the end of the stream or an error.</summary>
    private static async Task PumpAsync(Socket from, Socket to, Connection connection, CancellationToken token)
    {
        try
        {
            while (true)
            {
                // Wait for data without holding a buffer: idle connections cost no memory.
                await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, token);
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                try
                {
                    var read = await from.ReceiveAsync(buffer.AsMemory(0, ChunkSize), SocketFlags.None, token);
                    if (read == 0)
                    {
                        // Pass the end of the stream on; the peer closes its side in turn, which ends the other pump.
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    }
                    for (var sent = 0; sent < read;)
                        sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, token);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One direction failed: the connection is over both ways.
            connection.Abort();
        }
    }

    /// <summary>Makes way for the socket file: replaces a stale socket, refuses a live one or anything else.</summary>
    private static void PrepareSocketFile(string endpoint, string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
            throw new GeckoBindException(endpoint, $"Cannot bind {endpoint}: the folder {folder} does not exist; create it or pick another path.");

        switch (SocketFiles.KindOf(path))
        {
            case SocketFiles.Kind.Missing:
                return;
            case SocketFiles.Kind.Socket:
                if (SocketFiles.IsListening(path))
                    throw new GeckoBindException(endpoint, $"Cannot bind {endpoint}: another process is listening on it (is another hub running? stop it or pick another path).");
                // Left behind by a process that did not stop cleanly: nobody listens, so it is ours to replace.
                TryDelete(path);
                return;
            case SocketFiles.Kind.Other:
                throw new GeckoBindException(endpoint, $"Cannot bind {endpoint}: {path} exists and is not a socket; remove it or pick another path.");
            default:
                throw new GeckoBindException(endpoint, $"Cannot bind {endpoint}: {path} exists and this system cannot tell whether it is a stale socket; remove it if no hub uses it.");
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>The two sockets of one relayed connection.</summary>
    private sealed class Connection(Socket client, Socket upstream)
    {
        private int _aborted;

        public Socket Client { get; } = client;

        public Socket Upstream { get; } = upstream;

        public Task Completion { get; set; } = Task.CompletedTask;

        /// <summary>Closes both sockets, which ends both pumps; safe to call from either and more than once.</summary>
        public void Abort()
        {
            if (Interlocked.Exchange(ref _aborted, 1) != 0) return;
            Client.Dispose();
            Upstream.Dispose();
        }
    }
}

/// <summary>What is at a socket path: the file-type bits of <c>statx</c>, which .NET does not expose.</summary>
internal static class SocketFiles
{
    /// <summary>What a path names.</summary>
    public enum Kind
    {
        /// <summary>Nothing.</summary>
        Missing,

        /// <summary>A Unix socket.</summary>
        Socket,

        /// <summary>A file, folder, pipe or device: not ours to remove.</summary>
        Other,

        /// <summary>Something exists, but the system cannot say what.</summary>
        Unknown,
    }

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxModeOffset = 28; // struct statx has the same layout on every architecture
    private const int FileTypeMask = 0xF000;
    private const int SocketType = 0xC000;

    /// <summary>What <paramref name="path"/> names, without following a symbolic link.</summary>
    public static Kind KindOf(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path) && !IsDanglingLink(path)) return Kind.Missing;
        if (!OperatingSystem.IsLinux()) return Kind.Unknown;
        var buffer = new byte[256];
        try
        {
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
                return Marshal.GetLastPInvokeError() == 2 ? Kind.Missing : Kind.Unknown; // ENOENT
        }
        catch (EntryPointNotFoundException) { return Kind.Unknown; }
        catch (DllNotFoundException) { return Kind.Unknown; }
        var mode = BitConverter.ToUInt16(buffer, StatxModeOffset);
        return (mode & FileTypeMask) == SocketType ? Kind.Socket : Kind.Other;
    }

    /// <summary>Whether a process accepts connections on the socket at <paramref name="path"/>.</summary>
    public static bool IsListening(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused)
        {
            return false;
        }
        catch (SocketException)
        {
            // Not allowed to connect, or otherwise unusable: do not take it for stale and remove someone's socket.
            return true;
        }
    }

    private static bool IsDanglingLink(string path)
    {
        try { return new FileInfo(path).LinkTarget is not null; }
        catch (IOException) { return false; }
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
}
