using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Akka.Event;
using Gecko.Core.Hub;
using Gecko.Core.Wire;

namespace Gecko.Core.Bridge.Security.Internal;

/// <summary>
/// A hub endpoint that speaks CURVE only. It listens where the user asked, runs the CurveZMQ server handshake itself
/// (NetMQ's own CURVE server accepts any client key, as it has no ZAP), refuses clients whose long-term key is not
/// allowed, and relays the authenticated connection, decrypted, to the hub's ZeroMQ socket on a private loopback port
/// (ZMTP with the NULL mechanism there). A connection refused, or failing its handshake within the timeout, is closed
/// before anything passes either way.
/// </summary>
internal sealed class CurveGate : IDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly CurveServerKeys _keys;
    private readonly CurveSettings _settings;
    private readonly string _ownSocketType;
    private readonly string[] _peerSocketTypes;
    private readonly long _maxFrameSize;
    private readonly ILoggingAdapter? _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _active;
    private long _authenticated;
    private long _refusedKeys;
    private long _failedHandshakes;
    private long _overLimit;
    private DateTime _lastWarning = DateTime.MinValue;

    private CurveGate(Socket listener, string endpoint, IPEndPoint target, CurveServerKeys keys, CurveSettings settings,
        bool publishers, long maxFrameSize, ILoggingAdapter? log)
    {
        _listener = listener;
        Endpoint = endpoint;
        _target = target;
        _keys = keys;
        _settings = settings;
        // The hub's socket on this side, and the client sockets that may talk to it.
        _ownSocketType = publishers ? "XSUB" : "XPUB";
        _peerSocketTypes = publishers ? ["PUB", "XPUB"] : ["SUB", "XSUB"];
        _maxFrameSize = maxFrameSize;
        _log = log;
        _accepting = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The endpoint clients connect to, with the port the OS chose when the setting asked for 0 or *.</summary>
    public string Endpoint { get; }

    /// <summary>Connections being served now (handshaking or relaying).</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>Clients that completed the handshake with an allowed key.</summary>
    public long Authenticated => Interlocked.Read(ref _authenticated);

    /// <summary>Clients that completed CURVE with a key that is not allowed (or a socket type that does not fit): closed.</summary>
    public long RefusedKeys => Interlocked.Read(ref _refusedKeys);

    /// <summary>Connections closed because they broke the protocol, used another server key or mechanism, or were too slow.</summary>
    public long FailedHandshakes => Interlocked.Read(ref _failedHandshakes);

    /// <summary>Connections closed at once because <see cref="CurveSettings.MaxConnections"/> were served already.</summary>
    public long OverLimit => Interlocked.Read(ref _overLimit);

    /// <summary>Binds <paramref name="endpoint"/> (tcp://host:port) and starts serving; connections are relayed to <paramref name="target"/>.</summary>
    /// <exception cref="GeckoBindException">The endpoint cannot be bound.</exception>
    public static CurveGate Start(string endpoint, IPEndPoint target, CurveServerKeys keys, CurveSettings settings, bool publishers,
        long maxFrameSize, ILoggingAdapter? log)
    {
        var (address, port, host) = Parse(endpoint);
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(address, port));
            listener.Listen(512);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            var reason = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the address is already in use (is another hub running? stop it or pick another port)",
                SocketError.AddressNotAvailable => "the address is not one of this machine's",
                _ => e.Message,
            };
            throw new GeckoBindException(endpoint, $"Cannot bind {endpoint}: {reason}.", e);
        }
        var bound = $"{Wire.Endpoint.TcpScheme}{host}:{((IPEndPoint)listener.LocalEndPoint!).Port}";
        return new CurveGate(listener, bound, target, keys, settings, publishers, maxFrameSize, log);
    }

    private static (IPAddress Address, int Port, string Host) Parse(string endpoint)
    {
        var hostPort = endpoint[Wire.Endpoint.TcpScheme.Length..];
        var colon = hostPort.LastIndexOf(':');
        var host = hostPort[..colon];
        var portText = hostPort[(colon + 1)..];
        var port = portText == "*" ? 0 : int.Parse(portText, System.Globalization.CultureInfo.InvariantCulture);
        var bare = host.Trim('[', ']');
        var address = bare switch
        {
            "*" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.TryParse(bare, out var parsed) ? parsed
                : throw new GeckoBindException(endpoint, $"Cannot bind {endpoint}: give an IP address (or * for every interface) with CURVE on."),
        };
        return (address, port, host);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            if (Interlocked.Increment(ref _active) > _settings.MaxConnections)
            {
                Interlocked.Decrement(ref _active);
                Interlocked.Increment(ref _overLimit);
                Close(client);
                Warn($"closed a connection to {Endpoint}: {_settings.MaxConnections} are served already (gecko.core.curve.max-connections)");
                continue;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var peer = client.RemoteEndPoint?.ToString() ?? "?";
        try
        {
            client.NoDelay = true;
            await using var clientStream = new NetworkStream(client, ownsSocket: false);
            var reader = new ZmtpReader(clientStream);
            CurveServerSession? session;
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                handshake.CancelAfter(_settings.HandshakeTimeout);
                try
                {
                    var (accepted, refusal, key) = await CurveServerSession.AcceptAsync(clientStream, reader, _keys, _ownSocketType, _peerSocketTypes, handshake.Token);
                    if (accepted is null)
                    {
                        Interlocked.Increment(ref _refusedKeys);
                        Warn(refusal == CurveServerSession.Refusal.KeyNotAllowed
                            ? $"refused {peer} on {Endpoint}: its key {CurveServerSession.Z85(key!)} is not in gecko.core.curve.allowed-clients"
                            : $"refused {peer} on {Endpoint}: its socket type cannot talk to the hub's {_ownSocketType}");
                        return;
                    }
                    session = accepted;
                }
                catch (Exception e) when (e is ZmtpProtocolException or IOException or SocketException || (e is OperationCanceledException && !_stop.IsCancellationRequested))
                {
                    Interlocked.Increment(ref _failedHandshakes);
                    if (_log is { IsDebugEnabled: true }) _log.Debug("CURVE handshake with {0} on {1} failed: {2}", peer, Endpoint, e is OperationCanceledException ? "too slow" : e.Message);
                    return;
                }
            }
            using (session)
            {
                Interlocked.Increment(ref _authenticated);
                if (_log is { IsDebugEnabled: true }) _log.Debug("CURVE client {0} ({1}) connected to {2}", CurveServerSession.Z85(session.ClientKey), peer, Endpoint);
                await RelayAsync(clientStream, reader, session);
            }
        }
        catch (Exception e) when (e is ZmtpProtocolException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (_log is { IsDebugEnabled: true }) _log.Debug("CURVE connection {0} on {1} ended: {2}", peer, Endpoint, e.Message);
        }
        finally
        {
            Close(client);
            Interlocked.Decrement(ref _active);
        }
    }

    /// <summary>Connects to the hub's socket as the client's socket type (NULL mechanism) and relays until either side ends.</summary>
    private async Task RelayAsync(NetworkStream clientStream, ZmtpReader clientReader, CurveServerSession session)
    {
        using var inner = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await inner.ConnectAsync(_target, _stop.Token);
        await using var innerStream = new NetworkStream(inner, ownsSocket: false);
        var innerReader = new ZmtpReader(innerStream);
        await innerStream.WriteAsync(Zmtp.Greeting("NULL", asServer: false), _stop.Token);
        var ready = Zmtp.Command("READY", Zmtp.SocketTypeMetadata(session.PeerSocketType));
        var header = new byte[9];
        var length = ZmtpFrameHeader.Write(header, ready.Length, more: false, command: true);
        await innerStream.WriteAsync(header.AsMemory(0, length), _stop.Token);
        await innerStream.WriteAsync(ready, _stop.Token);
        var greeting = new byte[Zmtp.GreetingLength];
        await innerReader.ReadRequiredAsync(greeting, _stop.Token);
        Zmtp.CheckGreeting(greeting, "NULL", peerIsServer: false);
        if (!Zmtp.IsCommand(await innerReader.ReadCommandAsync(4096, _stop.Token), "READY")) throw new ZmtpProtocolException("the hub's socket did not answer READY");

        using var ended = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var writeGate = new SemaphoreSlim(1, 1);
        var clientWriter = new BufferedStream(clientStream, 64 * 1024);
        var innerWriter = new BufferedStream(innerStream, 64 * 1024);
        var fromClient = Task.Run(() => FromClientAsync(clientReader, innerWriter, clientWriter, writeGate, session, ended.Token));
        var toClient = Task.Run(() => ToClientAsync(innerReader, clientWriter, writeGate, session, ended.Token));
        await Task.WhenAny(fromClient, toClient);
        ended.Cancel();
        try { await Task.WhenAll(fromClient, toClient); }
        catch (Exception e) when (e is ZmtpProtocolException or IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
    }

    /// <summary>Client → hub: opens each MESSAGE and writes its frame in the clear; answers PING; anything else ends it.</summary>
    private async Task FromClientAsync(ZmtpReader reader, BufferedStream inner, BufferedStream client, SemaphoreSlim writeGate,
        CurveServerSession session, CancellationToken token)
    {
        var header = new byte[9];
        while (await reader.ReadHeaderAsync(_maxFrameSize + CurveServerSession.MessageOverhead, token) is { } frame)
        {
            if (frame.IsCommand || frame.HasMore) throw new ZmtpProtocolException("a frame outside a MESSAGE after the handshake");
            var size = (int)frame.Size;
            var body = ArrayPool<byte>.Shared.Rent(size);
            var plain = ArrayPool<byte>.Shared.Rent(Math.Max(1, size));
            try
            {
                await reader.ReadRequiredAsync(body.AsMemory(0, size), token);
                var length = session.OpenMessage(body.AsSpan(0, size), plain);
                var flags = plain[0];
                if ((flags & 0x02) != 0)
                {
                    await AnswerCommandAsync(plain.AsMemory(1, length - 1), client, writeGate, session, token);
                    continue;
                }
                var headerLength = ZmtpFrameHeader.Write(header, length - 1, more: (flags & 0x01) != 0, command: false);
                await inner.WriteAsync(header.AsMemory(0, headerLength), token);
                await inner.WriteAsync(plain.AsMemory(1, length - 1), token);
                if (reader.Buffered == 0) await inner.FlushAsync(token);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(body);
                ArrayPool<byte>.Shared.Return(plain);
            }
        }
    }

    /// <summary>A ZMTP command inside a MESSAGE: PING gets its PONG (heartbeats work through the gate); others are ignored.</summary>
    private static async Task AnswerCommandAsync(ReadOnlyMemory<byte> command, BufferedStream client, SemaphoreSlim writeGate,
        CurveServerSession session, CancellationToken token)
    {
        if (!Zmtp.IsCommand(command.Span, "PING") || command.Length < 7) return;
        var pong = Zmtp.Command("PONG", command.Span[7..]);
        await SendAsync(client, writeGate, session, pong, more: false, command: true, token);
        await FlushAsync(client, writeGate, token);
    }

    /// <summary>Hub → client: each frame sealed as a MESSAGE.</summary>
    private static async Task ToClientAsync(ZmtpReader reader, BufferedStream client, SemaphoreSlim writeGate, CurveServerSession session,
        CancellationToken token)
    {
        // What the hub sends was bounded when it came in; this only keeps a broken inner stream from asking for more.
        while (await reader.ReadHeaderAsync(int.MaxValue - CurveServerSession.MessageOverhead, token) is { } frame)
        {
            var size = (int)frame.Size;
            var plain = ArrayPool<byte>.Shared.Rent(size + 1);
            try
            {
                await reader.ReadRequiredAsync(plain.AsMemory(1, size), token);
                if (frame.IsCommand) continue; // the hub's own commands (none without heartbeats) concern the inner link only
                await SendAsync(client, writeGate, session, plain.AsMemory(1, size), frame.HasMore, command: false, token);
                if (reader.Buffered == 0) await FlushAsync(client, writeGate, token);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(plain);
            }
        }
    }

    private static async Task SendAsync(BufferedStream client, SemaphoreSlim writeGate, CurveServerSession session, ReadOnlyMemory<byte> data,
        bool more, bool command, CancellationToken token)
    {
        var plain = ArrayPool<byte>.Shared.Rent(data.Length + 1);
        var sealedFrame = ArrayPool<byte>.Shared.Rent(9 + data.Length + CurveServerSession.MessageOverhead);
        try
        {
            plain[0] = (byte)((more ? 0x01 : 0) | (command ? 0x02 : 0));
            data.Span.CopyTo(plain.AsSpan(1));
            await writeGate.WaitAsync(token);
            try
            {
                // Sealed under the lock: nonces must reach the client in the order they were used.
                var bodyLength = data.Length + CurveServerSession.MessageOverhead;
                var headerLength = ZmtpFrameHeader.Write(sealedFrame, bodyLength, more: false, command: false);
                session.SealMessage(plain.AsSpan(0, data.Length + 1), sealedFrame.AsSpan(headerLength));
                await client.WriteAsync(sealedFrame.AsMemory(0, headerLength + bodyLength), token);
            }
            finally
            {
                writeGate.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
            ArrayPool<byte>.Shared.Return(sealedFrame);
        }
    }

    private static async Task FlushAsync(BufferedStream client, SemaphoreSlim writeGate, CancellationToken token)
    {
        await writeGate.WaitAsync(token);
        try
        {
            await client.FlushAsync(token);
        }
        finally
        {
            writeGate.Release();
        }
    }

    private void Warn(string text)
    {
        // Throttled: a misconfigured node retries every reconnect interval, a scan makes thousands.
        if (_log is null || DateTime.UtcNow - _lastWarning < TimeSpan.FromSeconds(5)) return;
        _lastWarning = DateTime.UtcNow;
        _log.Warning("{0} (authenticated {1}, refused keys {2}, failed handshakes {3} so far)", text, Authenticated, RefusedKeys, FailedHandshakes);
    }

    private static void Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        socket.Dispose();
    }

    /// <summary>Stops listening and ends every connection it serves.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        try { _accepting.Wait(TimeSpan.FromSeconds(2)); }
        catch (AggregateException) { }
        // Connections end on their own once the token fires (their reads and writes are cancelled).
        SpinWait.SpinUntil(() => ActiveConnections == 0, TimeSpan.FromSeconds(2));
    }
}
