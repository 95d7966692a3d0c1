using System.Net;
using System.Net.Sockets;

namespace Gecko.Testing;

/// <summary>How <see cref="TcpLinkProxy.Cut"/> breaks the link.</summary>
public enum LinkCut
{
    /// <summary>
    /// Every connection is reset (RST) at once and new ones are refused while the link is cut: what both ends see when
    /// a router between them restarts, or a peer's machine reboots.
    /// </summary>
    Reset,

    /// <summary>
    /// A pulled cable or a Wi-Fi drop-out: nothing goes through in either direction and nobody is told. Connections stay
    /// open; bytes sent into them wait (first in the proxy's buffer, then in the kernels' buffers, then the senders
    /// block as TCP does when no acknowledgement comes); a closed or reset end is not passed on; new connections are
    /// accepted but not connected onwards. On restore the waiting bytes, closes and connections go through, as TCP's
    /// retransmission delivers them when the cable is back (before TCP gives up, which takes minutes).
    /// </summary>
    Blackhole,
}

/// <summary>
/// A TCP link between two ends that a test can cut and restore: listens on a loopback port of its own and forwards
/// every connection to <see cref="Target"/>, counting the bytes each way. Stands between two hosts (or a node and its
/// hub) so a test can pull the cable without touching either process.
/// </summary>
/// <remarks>
/// What it does not model: a real blackhole also makes the sender retransmit with growing intervals, so after a long
/// cut the first bytes may cross a few seconds after the cable is back; here they cross at once. Loopback kernels
/// acknowledge what reached the proxy's socket buffer, so a sender's TCP stack sees a full window, not lost packets.
/// </remarks>
public sealed class TcpLinkProxy : IDisposable
{
    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// The kernel's buffers of the proxy's own sockets, fixed rather than grown by Linux up to tens of megabytes: a
    /// router on the way buffers little, so a cut fills the ends' queues within seconds, as it would on a robot.
    /// </summary>
    private const int SocketBufferSize = 256 * 1024;

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly List<Link> _links = [];
    private readonly List<Link> _recorded = [];
    private readonly Task _accepting;
    private TaskCompletionSource _up = NewUp(completed: true);
    private LinkCut? _cut;
    private long _bytesToTarget;
    private long _bytesFromTarget;
    private int _accepted;
    private int _refused;

    /// <summary>Starts forwarding connections to <paramref name="target"/>; listens on <paramref name="listen"/> (default 127.0.0.1, a port the OS picks).</summary>
    public TcpLinkProxy(IPEndPoint target, IPEndPoint? listen = null)
    {
        Target = target;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // Accepted sockets inherit the sizes (the receive window is agreed on in the handshake).
        _listener.ReceiveBufferSize = SocketBufferSize;
        _listener.SendBufferSize = SocketBufferSize;
        _listener.Bind(listen ?? new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>A proxy to a ZeroMQ endpoint <c>tcp://HOST:PORT</c>.</summary>
    public static TcpLinkProxy ToZeroMq(string address)
    {
        var uri = new Uri(address);
        if (uri.Scheme != "tcp") throw new ArgumentException($"{address} is not a tcp:// endpoint.", nameof(address));
        return new TcpLinkProxy(new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port));
    }

    /// <summary>Where connections are forwarded to.</summary>
    public IPEndPoint Target { get; }

    /// <summary>Where the proxy listens: give this to the end that connects.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary><see cref="Endpoint"/> as a ZeroMQ address.</summary>
    public string ZeroMqAddress => $"tcp://{Endpoint.Address}:{Endpoint.Port}";

    /// <summary>Whether the link is cut now.</summary>
    public bool IsCut
    {
        get
        {
            lock (_gate) return _cut is not null;
        }
    }

    /// <summary>Bytes passed on from the connecting ends to the target.</summary>
    public long BytesToTarget => Interlocked.Read(ref _bytesToTarget);

    /// <summary>Bytes passed on from the target back to the connecting ends.</summary>
    public long BytesFromTarget => Interlocked.Read(ref _bytesFromTarget);

    /// <summary>
    /// Bytes kept of each connection, per direction, for a test that inspects what crossed the wire (e.g. that it was
    /// encrypted): up to this many each way (0, the default: nothing is kept). Set it before the first connection.
    /// </summary>
    public int RecordLimit { get; init; }

    /// <summary>What each connection so far carried, in the order they were accepted (see <see cref="RecordLimit"/>).</summary>
    public IReadOnlyList<(byte[] ToTarget, byte[] FromTarget)> Recorded()
    {
        lock (_gate) return _recorded.Select(link => (link.Recording(toTarget: true), link.Recording(toTarget: false))).ToArray();
    }

    /// <summary>Connections accepted so far (including those held or refused while cut).</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections reset because the link was cut with <see cref="LinkCut.Reset"/>, open ones and new ones.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Connections open now (held ones included).</summary>
    public int Open
    {
        get
        {
            lock (_gate) return _links.Count;
        }
    }

    /// <summary>Cuts the link (see <see cref="LinkCut"/>). Cutting a cut link again with <see cref="LinkCut.Reset"/> resets what the blackhole held.</summary>
    public void Cut(LinkCut mode)
    {
        Link[] reset;
        lock (_gate)
        {
            if (_up.Task.IsCompleted) _up = NewUp(completed: false);
            _cut = mode;
            if (mode != LinkCut.Reset) return;
            reset = [.. _links];
        }
        foreach (var link in reset) link.Reset(this);
    }

    /// <summary>Restores the link: what a blackhole held goes through, and new connections are forwarded again.</summary>
    public void Restore()
    {
        TaskCompletionSource up;
        lock (_gate)
        {
            _cut = null;
            up = _up;
        }
        up.TrySetResult();
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        Link[] open;
        lock (_gate) open = [.. _links];
        foreach (var link in open) link.Close();
        Restore();
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException) { }
        _stop.Dispose();
    }

    private static TaskCompletionSource NewUp(bool completed)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed) up.SetResult();
        return up;
    }

    /// <summary>Completes when the link is not cut (at once if it is up); cancelled on dispose.</summary>
    private Task LinkUpAsync()
    {
        lock (_gate) return _up.Task.WaitAsync(_stop.Token);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            client.NoDelay = true;
            var link = new Link(client);
            bool refuse;
            lock (_gate)
            {
                refuse = _cut == LinkCut.Reset;
                if (!refuse) _links.Add(link);
                if (!refuse && RecordLimit > 0) _recorded.Add(link);
            }
            if (refuse)
            {
                link.Reset(this);
                continue;
            }
            _ = Task.Run(() => ForwardAsync(link));
        }
    }

    private async Task ForwardAsync(Link link)
    {
        try
        {
            // A connection that arrives during a blackhole waits here, as a SYN does until the cable is back.
            await LinkUpAsync().WaitAsync(link.Closing);
            await link.Target.ConnectAsync(Target, link.Closing);
            link.Target.NoDelay = true;
            await Task.WhenAll(
                PumpAsync(link, link.Client, link.Target, toTarget: true),
                PumpAsync(link, link.Target, link.Client, toTarget: false));
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Reset by a cut, refused by the target, or the proxy disposed: the other end learns it from the socket.
        }
        finally
        {
            link.Close();
            lock (_gate) _links.Remove(link);
        }
    }

    private async Task PumpAsync(Link link, Socket from, Socket to, bool toTarget)
    {
        var buffer = new byte[BufferSize];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, link.Closing);
                // Bytes, an orderly close or a reset wait for the link like everything else in a blackhole.
                await LinkUpAsync().WaitAsync(link.Closing);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                if (RecordLimit > 0) link.Record(toTarget, buffer.AsSpan(0, read), RecordLimit);
                for (var sent = 0; sent < read;) sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, link.Closing);
                Interlocked.Add(ref toTarget ? ref _bytesToTarget : ref _bytesFromTarget, read);
            }
        }
        catch (SocketException) when (!link.Closing.IsCancellationRequested)
        {
            // One end reset: pass the reset on to the other (after the blackhole, if there is one).
            await LinkUpAsync().WaitAsync(link.Closing);
            link.Reset(this, countAsRefused: false);
        }
    }

    /// <summary>One forwarded connection: the accepted client socket and the one to the target.</summary>
    private sealed class Link(Socket client)
    {
        private readonly CancellationTokenSource _closing = new();
        private int _closed;

        public Socket Client { get; } = client;

        public Socket Target { get; } = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            ReceiveBufferSize = SocketBufferSize, SendBufferSize = SocketBufferSize,
        };

        public CancellationToken Closing => _closing.Token;

        private readonly MemoryStream _toTarget = new();
        private readonly MemoryStream _fromTarget = new();

        public void Record(bool toTarget, ReadOnlySpan<byte> bytes, int limit)
        {
            var stream = toTarget ? _toTarget : _fromTarget;
            lock (stream) stream.Write(bytes[..(int)Math.Min(bytes.Length, Math.Max(0, limit - stream.Length))]);
        }

        public byte[] Recording(bool toTarget)
        {
            var stream = toTarget ? _toTarget : _fromTarget;
            lock (stream) return stream.ToArray();
        }

        /// <summary>Closes both sockets with RST (linger 0), as a router that drops the connection's state does.</summary>
        public void Reset(TcpLinkProxy proxy, bool countAsRefused = true)
        {
            if (countAsRefused) Interlocked.Increment(ref proxy._refused);
            foreach (var socket in new[] { Client, Target })
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            }
            Close();
        }

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 1) return;
            _closing.Cancel();
            Client.Dispose();
            Target.Dispose();
        }
    }
}
