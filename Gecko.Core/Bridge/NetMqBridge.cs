using System.Net;
using Akka.Actor;
using Gecko.Core.Bridge.Internal;
using Gecko.Core.Bridge.Security;
using Gecko.Core.Bridge.Security.Internal;
using Gecko.Core.Hub;
using Gecko.Core.Introspection;
using Gecko.Core.Routing;
using Gecko.Core.Wire;
using NetMQ;
using NetMQ.Sockets;

namespace Gecko.Core.Bridge;

/// <summary>
/// The hub's ZeroMQ side: an XSUB socket publishers connect to and an XPUB socket subscribers connect to, both owned
/// by one poller thread. Traffic from outside to outside is forwarded and counted on that thread without an actor hop
/// and without allocating; only messages an in-process subscriber wants are copied and handed to the router.
/// </summary>
public sealed class NetMqBridge : IOutboundSink, IDisposable
{
    private readonly CoreSettings _settings;
    private readonly TopicRegistry _registry;
    private readonly HubCounters _counters;
    private readonly IActorRef _router;
    private IActorRef? _cluster;
    private readonly XSubscriberSocket _in;
    private readonly XPublisherSocket _out;
    private readonly NetMQQueue<Outbound> _outbound = new();
    private readonly NetMQPoller _poller;
    private readonly NetMQTimer _watermarks = new(WatermarkCheckInterval);
    private readonly List<UnixSocketRelay> _relays = [];
    private readonly NetMqDropCounter? _drops;
    private readonly List<CurveGate> _gates = [];
    private readonly CurveServerKeys? _curveKeys;
    private readonly Akka.Event.ILoggingAdapter? _log;
    private Msg _topic;
    private Msg _payload;
    private Msg _discard;
    private int _disposed;

    private readonly record struct Outbound(TopicCounters Topic, byte[] Payload);

    /// <summary>Frames up to this size are pooled (camera images); larger ones are rare enough to allocate.</summary>
    private const int LargestPooledFrame = 4 << 20;

    /// <summary>How soon the pipes of a new publisher get NetMQ's queue limit fixed (subscribers' at once).</summary>
    private static readonly TimeSpan WatermarkCheckInterval = TimeSpan.FromSeconds(1);

    private NetMqBridge(CoreSettings settings, TopicRegistry registry, HubCounters counters, IActorRef router, Akka.Event.ILoggingAdapter? log)
    {
        _settings = settings;
        _log = log;
        // Read before any socket exists: a missing or bad key file stops the start with a clear message.
        _curveKeys = settings.Curve.Enabled ? CurveServerKeys.Load(settings.Curve) : null;
        _registry = registry;
        _counters = counters;
        _router = router;
        _topic.InitEmpty();
        _payload.InitEmpty();
        _discard.InitEmpty();

        if (settings.FastClock) NetMqFastClock.TryEnable();
        NetMqBuffers.Install(settings.FramePoolSize, LargestPooledFrame);

        _in = new XSubscriberSocket();
        _out = new XPublisherSocket();
        _in.Options.Linger = TimeSpan.Zero;
        _out.Options.Linger = TimeSpan.Zero;
        _in.Options.ReceiveHighWatermark = settings.ReceiveHighWaterMark;
        _out.Options.SendHighWatermark = settings.SendHighWaterMark;
        // Unset, a peer announcing a huge frame makes NetMQ allocate it: garbage traffic once drove a hub past 1 GB.
        _in.Options.MaxMsgSize = settings.SocketMaxFrameSize;
        // The out side only ever receives subscriptions: one byte plus a topic prefix.
        _out.Options.MaxMsgSize = 1 + WireProtocol.MaxTopicBytes + 1;
        // ZeroMQ drops silently for a subscriber at its high-water mark: count each such message per topic.
        _drops = NetMqDropCounter.TryCreate(_out);
        counters.DropsCounted = _drops is not null;

        try
        {
            InAddress = Bind(_in, settings.InAddress);
            OutAddress = Bind(_out, settings.OutAddress);
        }
        catch
        {
            foreach (var gate in _gates) gate.Dispose();
            foreach (var relay in _relays) relay.Dispose();
            _in.Dispose();
            _out.Dispose();
            throw;
        }

        // Like pygecko's core: subscribe to everything upstream, so every message reaches the hub and is counted.
        _in.SendFrame([1]);

        _in.ReceiveReady += (_, _) => ForwardIncoming();
        _out.ReceiveReady += (_, _) => ReadSubscriptions();
        _outbound.ReceiveReady += (_, _) => SendOutbound();
        // New connections get pipes with NetMQ's premature "full" (see NetMqWatermarks): fix them as they come.
        _watermarks.Elapsed += (_, _) =>
        {
            NetMqWatermarks.Relax(_in);
            NetMqWatermarks.Relax(_out);
        };
        _poller = new NetMQPoller { _in, _out, _outbound, _watermarks };
    }

    /// <summary>The endpoint publishers connect to (with the port the OS chose when the setting asked for 0 or *).</summary>
    public string InAddress { get; }

    /// <summary>The endpoint subscribers connect to.</summary>
    public string OutAddress { get; }

    /// <summary>Unix socket connections being relayed now, both endpoints together (0 without ipc:// endpoints).</summary>
    public int IpcConnections
    {
        get
        {
            var count = 0;
            foreach (var relay in _relays) count += relay.ActiveConnections;
            return count;
        }
    }

    /// <summary>
    /// Whether messages dropped for subscribers at their high-water mark are counted (<see cref="TopicCounters.Dropped"/>);
    /// false only if NetMQ's internals are not as expected (see NetMqDropCounter).
    /// </summary>
    public bool CountsDrops => _drops is { IsBroken: false };

    /// <summary>The CURVE gates serving the endpoints (none when <c>gecko.core.curve</c> is off).</summary>
    internal IReadOnlyList<CurveGate> CurveGates => _gates;

    /// <summary>Whether NetMQ has a tick counter (see <c>gecko.core.fast-clock</c>).</summary>
    public static bool FastClockActive => NetMqFastClock.IsActive;

    /// <summary>Binds both sockets and starts the poller thread; returns once the bridge forwards.</summary>
    /// <exception cref="GeckoBindException">An endpoint cannot be bound (in use, or not an address of this machine).</exception>
    /// <exception cref="GeckoConfigurationException">CURVE is on and a key file is missing or not valid.</exception>
    public static NetMqBridge Start(CoreSettings settings, TopicRegistry registry, HubCounters counters, IActorRef router, Akka.Event.ILoggingAdapter? log = null)
    {
        var bridge = new NetMqBridge(settings, registry, counters, router, log);
        bridge._poller.RunAsync("gecko-bridge", isBackgroundThread: true);
        return bridge;
    }

    /// <inheritdoc />
    public void Enqueue(TopicCounters topic, byte[] payload)
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        try
        {
            _outbound.Enqueue(new Outbound(topic, payload));
        }
        catch (ObjectDisposedException)
        {
            // The hub stopped between the check and the enqueue: nobody is left to send it to.
        }
    }

    private string Bind(NetMQSocket socket, string endpoint)
    {
        try
        {
            if (Endpoint.IsIpc(endpoint))
            {
                // NetMQ's ipc:// is not a Unix socket: bind on a private loopback port and serve the real Unix
                // socket in front of it (see UnixSocketRelay). Nodes see only the ipc:// endpoint.
                var internalPort = socket.BindRandomPort("tcp://127.0.0.1");
                var target = new IPEndPoint(IPAddress.Loopback, internalPort);
                _relays.Add(UnixSocketRelay.Start(endpoint, Endpoint.IpcPath(endpoint), target, _settings.IpcMaxConnections));
                return endpoint;
            }
            if (_curveKeys is not null)
            {
                // CURVE only: the ZeroMQ socket listens on a private loopback port, the gate where the user asked.
                var privatePort = socket.BindRandomPort("tcp://127.0.0.1");
                var publishers = ReferenceEquals(socket, _in);
                var gate = CurveGate.Start(endpoint, new IPEndPoint(IPAddress.Loopback, privatePort), _curveKeys, _settings.Curve, publishers,
                    publishers ? _settings.SocketMaxFrameSize : _out.Options.MaxMsgSize, _log);
                _gates.Add(gate);
                return gate.Endpoint;
            }
            var colon = endpoint.LastIndexOf(':');
            var port = endpoint[(colon + 1)..];
            if (port is "0" or "*")
            {
                var chosen = socket.BindRandomPort(endpoint[..colon]);
                return $"{endpoint[..colon]}:{chosen}";
            }
            socket.Bind(endpoint);
            return endpoint;
        }
        catch (NetMQException e)
        {
            var reason = e.ErrorCode switch
            {
                ErrorCode.AddressAlreadyInUse => "the address is already in use (is another hub running? stop it or pick another port)",
                ErrorCode.AddressNotAvailable => "the address is not one of this machine's",
                _ => e.Message,
            };
            throw new GeckoBindException(endpoint, $"Cannot bind {endpoint}: {reason}.", e);
        }
    }

    /// <summary>The hot path: forwards a batch of messages from in to out, counting each. Poller thread only.</summary>
    private void ForwardIncoming()
    {
        var batch = _settings.ForwardBatchSize;
        var maxPayload = _settings.MaxPayloadSize;
        for (var i = 0; i < batch; i++)
        {
            if (!_in.TryReceive(ref _topic, TimeSpan.Zero)) return;
            if (!_topic.HasMore)
            {
                _counters.CountMalformed(MalformedReason.WrongFrameCount);
                continue;
            }
            // A multipart message arrives whole: once its first frame is here, the rest is too.
            _in.Receive(ref _payload);
            if (_payload.HasMore)
            {
                DiscardRemainingFrames();
                _counters.CountMalformed(MalformedReason.WrongFrameCount);
                continue;
            }
            var topicFrame = (ReadOnlySpan<byte>)_topic.Slice();
            if (!WireProtocol.HasValidTopicLength(topicFrame.Length))
            {
                _counters.CountMalformed(MalformedReason.BadTopic);
                continue;
            }
            if (_payload.Size > maxPayload)
            {
                _counters.CountMalformed(MalformedReason.PayloadTooLarge);
                continue;
            }
            if (!_registry.TryGet(topicFrame, out var topic) && !_registry.TryAdd(topicFrame, out topic, out var failure))
            {
                _counters.CountMalformed(failure);
                continue;
            }

            // One branch for ordinary traffic: the kind was decided when the topic was first seen.
            if (topic.Kind != TopicKind.Plain && !AcceptControl(topic)) continue;

            topic.CountExternal(_payload.Size);
            if (topic.LocalSubscribers > 0 || topic.HasRemoteInterest) HandOver(topic);

            // Send hands the frames' buffers to the out socket (no copy) and leaves both Msg empty for the next
            // receive. XPUB never blocks: at a subscriber's high-water mark ZeroMQ drops for that subscriber, which
            // is counted between the two frames while some pipe is full (two field reads otherwise).
            var full = _drops?.FullPipes ?? 0;
            if (!_out.TrySend(ref _topic, TimeSpan.Zero, more: true)) Reset(ref _topic);
            if (_drops is not null && (full | _drops.FullPipes) != 0) CountDrops(topic);
            if (!_out.TrySend(ref _payload, TimeSpan.Zero, more: false)) Reset(ref _payload);
        }
    }

    /// <summary>
    /// Copies the payload once for in-process subscribers and for other cluster hosts that want the topic (the flag is
    /// set only while a cluster is attached). Messages from outside are never copied for anyone else.
    /// </summary>
    private void HandOver(TopicCounters topic)
    {
        var payload = _payload.ToArray();
        if (topic.LocalSubscribers > 0) _router.Tell(new TopicRouter.ExternalMessage(topic, payload));
        if (topic.HasRemoteInterest && Volatile.Read(ref _cluster) is { } cluster) cluster.Tell(new Cluster.ClusterRouting.Outgoing(topic, payload));
    }

    /// <summary>Hands messages other cluster hosts want to <paramref name="cluster"/> (this host's cluster actor).</summary>
    internal void AttachCluster(IActorRef cluster) => Volatile.Write(ref _cluster, cluster);

    /// <summary>Between a message's two frames, while some subscriber's queue is full: counts who misses it.</summary>
    private void CountDrops(TopicCounters topic)
    {
        topic.CountDropped(_drops!.Missed(topic.Utf8Name));
        if (_drops.IsBroken) _counters.DropsCounted = false;
    }

    private static void Reset(ref Msg msg)
    {
        msg.Close();
        msg.InitEmpty();
    }

    private void DiscardRemainingFrames()
    {
        do _in.Receive(ref _discard);
        while (_discard.HasMore);
    }

    /// <summary>
    /// Reads what the hub itself acts on: a registration (then forwarded like any message, as pygecko's core does), a
    /// stats query (counted and consumed) or a message on a reserved topic (malformed: only the hub speaks there, so
    /// nobody can forge its report). False when the message is not to be forwarded.
    /// </summary>
    private bool AcceptControl(TopicCounters topic)
    {
        switch (topic.Kind)
        {
            case TopicKind.CoreInfo:
                if (ProcInfo.TryDecode(_payload.SliceAsMemory(), out var info)) _router.Tell(new TopicRouter.RegisterProcess(info!));
                else _counters.CountMalformed(MalformedReason.BadRegistration);
                return true;
            case TopicKind.Query:
                if (StatsQuery.TryDecode(_payload.Slice(), out var query))
                {
                    topic.CountExternal(_payload.Size);
                    _router.Tell(new TopicRouter.StatsQueried(query!.Id));
                }
                else _counters.CountMalformed(MalformedReason.BadQuery);
                return false;
            default:
                _counters.CountMalformed(MalformedReason.ReservedTopic);
                return false;
        }
    }

    /// <summary>Subscriptions from subscribers: first byte 1 = subscribe, 0 = unsubscribe, then the prefix.</summary>
    private void ReadSubscriptions()
    {
        var frame = new Msg();
        frame.InitEmpty();
        try
        {
            while (_out.TryReceive(ref frame, TimeSpan.Zero))
            {
                var data = (ReadOnlySpan<byte>)frame.Slice();
                if (frame.HasMore || data.Length == 0 || data[0] > 1) continue;
                _router.Tell(new TopicRouter.ExternalSubscriptionChanged(data[1..].ToArray(), data[0] == 1));
            }
        }
        finally
        {
            frame.Close();
        }
        // A subscriber's first subscription arrives over its new pipe: fix that pipe before traffic fills it.
        NetMqWatermarks.Relax(_out);
    }

    private void SendOutbound()
    {
        while (_outbound.TryDequeue(out var message, TimeSpan.Zero))
        {
            var full = _drops?.FullPipes ?? 0;
            _out.TrySendFrame(TimeSpan.Zero, message.Topic.Utf8Name, more: true);
            if (_drops is not null && (full | _drops.FullPipes) != 0) CountDrops(message.Topic);
            _out.TrySendFrame(TimeSpan.Zero, message.Payload, more: false);
        }
    }

    /// <summary>Stops the Unix socket relays and the poller thread and closes both sockets.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var gate in _gates) gate.Dispose();
        foreach (var relay in _relays) relay.Dispose();
        _poller.Stop();
        _poller.Dispose();
        _outbound.Dispose();
        _in.Dispose();
        _out.Dispose();
        _topic.Close();
        _payload.Close();
        _discard.Close();
        // NetMQ closes a socket's listener on its own I/O thread after Dispose returns. A hub started again on the
        // same port right away (gecko core run again, a hub restart in a test) must find it free: wait, bounded.
        WaitUntilReleased(InAddress);
        WaitUntilReleased(OutAddress);
    }

    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(3);

    private static void WaitUntilReleased(string endpoint)
    {
        if (!Endpoint.IsIpc(endpoint) && ListenerEndPoint(endpoint) is { } bound)
            SpinWait.SpinUntil(() => IsFree(bound), ReleaseTimeout);
    }

    /// <summary>Whether nothing listens on <paramref name="endpoint"/>: a bind as NetMQ makes it (address reuse on) succeeds.</summary>
    private static bool IsFree(IPEndPoint endpoint)
    {
        using var probe = new System.Net.Sockets.Socket(endpoint.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            probe.ExclusiveAddressUse = false;
            probe.Bind(endpoint);
            return true;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            // Anything but "in use" cannot be waited away.
            return e.SocketErrorCode != System.Net.Sockets.SocketError.AddressAlreadyInUse;
        }
    }

    private static IPEndPoint? ListenerEndPoint(string endpoint)
    {
        var hostPort = endpoint[Endpoint.TcpScheme.Length..];
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], out var port) || port == 0) return null;
        var host = hostPort[..colon].Trim('[', ']');
        var address = host switch
        {
            "*" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.TryParse(host, out var parsed) ? parsed : null,
        };
        return address is null ? null : new IPEndPoint(address, port);
    }
}
