using System.Runtime.InteropServices;
using Gecko.Core;
using Gecko.Core.Bridge;
using Gecko.Core.Bridge.Security;
using Gecko.Core.Bridge.Internal;
using Gecko.Core.Discovery;
using Gecko.Core.Messages;
using Gecko.Core.Wire;
using NetMQ;
using NetMQ.Sockets;

namespace Gecko.Actors.Standalone;

/// <summary>
/// A node in its own process, rospy style: <see cref="Init"/> finds the hub and registers; then publishers,
/// subscribers with callbacks, <see cref="Rate"/>, logging, on-shutdown hooks and <see cref="Spin()"/>.
/// </summary>
/// <example>
/// <code>
/// using var node = StandaloneNode.Init("talker", args);
/// var pub = node.Publisher&lt;Twist&gt;("cmd");
/// var rate = node.Rate(10);
/// while (!node.IsShutdown) { pub.Publish(new Twist(new Vector(0.5, 0, 0), new Vector(0, 0, 0))); rate.Sleep(); }
/// </code>
/// </example>
public sealed class StandaloneNode : IDisposable
{
    private readonly NodeOptions _options;
    private readonly object _publishGate = new();
    private readonly NetMqDropCounter? _drops;
    private readonly Dictionary<string, long> _dropped = new(StringComparer.Ordinal);
    private DateTime _lastDropWarning = DateTime.MinValue;
    private readonly PublisherSocket _publisher;
    private readonly SubscriberSocket _subscriber;
    private readonly NetMqDialAddress _inDial;
    private readonly NetMqDialAddress _outDial;
    private readonly NetMQPoller _poller;
    private readonly NetMQTimer _registration;
    private readonly Dictionary<string, Action<byte[]>> _callbacks = new(StringComparer.Ordinal);
    private readonly List<Action> _shutdownHooks = [];
    private readonly ManualResetEventSlim _stopped = new();
    private readonly List<PosixSignalRegistration> _signals = [];
    private readonly byte[] _registrationTopic = WireProtocol.EncodeTopic(WireProtocol.CoreInfoTopic);
    private readonly SortedSet<string> _publishes = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _subscribes = new(StringComparer.Ordinal);
    private readonly string _host = System.Net.Dns.GetHostName();
    private long _decodeErrors;
    private long _callbackErrors;
    private DateTime _lastCallbackError = DateTime.MinValue;
    private int _shutdown;
    private DateTime _lastDecodeWarning = DateTime.MinValue;

    private static readonly TimeSpan PublisherLinger = TimeSpan.FromMilliseconds(500);

    private StandaloneNode(string name, NodeOptions options, HubLocation hub, CurveClientKeys? curve)
    {
        Name = name;
        _options = options;
        Hub = hub;
        var (inAddress, outAddress) = (hub.InAddress, hub.OutAddress);
        Log = new StandaloneLog(this);
        if (options.LogToConsole) Console.Error.WriteLine($"[INFO] {name}: hub {hub}");

        // NetMQ cannot dial a Unix socket: for an ipc:// hub each socket connects through a relay on loopback.
        _inDial = NetMqDialAddress.For(inAddress);
        _outDial = NetMqDialAddress.For(outAddress);
        _publisher = new PublisherSocket();
        _publisher.Options.Linger = PublisherLinger;
        curve?.Apply(_publisher);
        _publisher.Connect(_inDial.Address);
        // ZeroMQ's PUB drops silently while no hub is connected or subscribed, and when its queue is full: counted per
        // topic, announced in each registration, shown by the hub next to its own drops.
        _drops = NetMqDropCounter.TryCreate(_publisher);
        _subscriber = new SubscriberSocket();
        _subscriber.Options.Linger = TimeSpan.Zero;
        _subscriber.Options.MaxMsgSize = options.MaxPayloadSize;
        curve?.Apply(_subscriber);
        _subscriber.Connect(_outDial.Address);
        _subscriber.ReceiveReady += (_, _) => DispatchIncoming();
        _registration = new NetMQTimer(options.RegistrationInterval);
        _registration.Elapsed += (_, _) => Register(alive: true);
        _poller = new NetMQPoller { _subscriber, _registration };
        _poller.RunAsync($"gecko-node-{name}", isBackgroundThread: true);
        Register(alive: true);

        if (options.HandleSignals)
        {
            _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
            _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
        }
    }

    /// <summary>Starts a node named <paramref name="name"/>: finds the hub (options, then <c>GECKO_CORE_IN</c>/<c>OUT</c>,
    /// the core file, the beacon when a key is known, the defaults — see <see cref="HubLocator"/>), connects, and
    /// registers this process on <c>core_info</c>. A beacon look-up blocks for at most its timeout.</summary>
    /// <param name="name">The node's name, shown by the hub and in logs.</param>
    /// <param name="options">Connection options; null to find everything.</param>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    /// <exception cref="GeckoConfigurationException">An address in the options or the environment is malformed, or a
    /// CURVE key or key file is not valid.</exception>
    public static StandaloneNode Init(string name, NodeOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        options ??= new NodeOptions();
        var curve = CurveClientKeys.Find(options.CurveServerKey, options.CurveSecretKeyFile);
        var hub = HubLocator.Locate(new HubQuery
        {
            InAddress = options.InAddress,
            OutAddress = options.OutAddress,
            Key = options.Key,
            CoreFileDirectory = options.CoreFileDirectory,
            Beacon = options.Beacon ?? BeaconSettings.Default,
            Name = name,
        });
        return new StandaloneNode(name, options, hub, curve);
    }

    /// <summary>The node's name.</summary>
    public string Name { get; }

    /// <summary>Where the hub is and how it was found.</summary>
    public HubLocation Hub { get; }

    /// <summary>The hub endpoint this node publishes to.</summary>
    public string InAddress => Hub.InAddress;

    /// <summary>The hub endpoint this node subscribes at.</summary>
    public string OutAddress => Hub.OutAddress;

    /// <summary>Logs to the <c>log</c> topic (and standard error).</summary>
    public StandaloneLog Log { get; }

    /// <summary>True once SIGINT/SIGTERM arrived or <see cref="Shutdown"/> was called.</summary>
    public bool IsShutdown => Volatile.Read(ref _shutdown) != 0;

    /// <summary>Received messages a callback's type could not be decoded from.</summary>
    public long DecodeErrors => Interlocked.Read(ref _decodeErrors);

    /// <summary>Subscriber callbacks that threw (each logged at ERROR on the <c>log</c> topic, throttled; the node carries on).</summary>
    public long CallbackErrors => Interlocked.Read(ref _callbackErrors);

    /// <summary>
    /// A publisher of <typeparamref name="T"/> on <paramref name="topic"/>; thread-safe. The node announces the topic in
    /// its registration, so the hub counts it among the topic's publishers.
    /// </summary>
    public StandalonePublisher<T> Publisher<T>(string topic) where T : notnull
    {
        var publisher = new StandalonePublisher<T>(this, topic);
        Announce(_publishes, topic);
        return publisher;
    }

    /// <summary>
    /// Calls <paramref name="callback"/> with each <typeparamref name="T"/> published on exactly <paramref name="topic"/>,
    /// on the node's receive thread. Payloads that are not a <typeparamref name="T"/> are counted and logged, never thrown;
    /// an exception from <paramref name="callback"/> is counted and logged at ERROR, and the next message is delivered as usual.
    /// The subscription survives hub restarts: ZeroMQ reconnects and subscribes again by itself.
    /// </summary>
    public void Subscribe<T>(string topic, Action<T> callback)
    {
        WireProtocol.EncodeTopic(topic);
        ArgumentNullException.ThrowIfNull(callback);
        var subscribed = new ManualResetEventSlim();
        // Sockets belong to the poller thread: the subscription is made there.
        _poller.Run(() =>
        {
            _callbacks[topic] = payload =>
            {
                if (!GeckoSerializer.TryDecode<T>(payload, out var message, out var error))
                {
                    OnDecodeError(topic, typeof(T), error!);
                    return;
                }
                try
                {
                    callback(message!);
                }
                catch (Exception e)
                {
                    // As rospy does: the failure is the callback's, not the node's. Left to escape, it would end the
                    // poller thread, and with it every subscription of this process.
                    OnCallbackError(topic, e);
                }
            };
            _subscriber.Subscribe(topic);
            subscribed.Set();
        });
        subscribed.Wait(TimeSpan.FromSeconds(5));
        Announce(_subscribes, topic);
    }

    /// <summary>Adds a topic to what the registration announces and registers again at once when it is new.</summary>
    private void Announce(SortedSet<string> topics, string topic)
    {
        lock (topics)
        {
            if (!topics.Add(topic)) return;
        }
        if (!IsShutdown) Register(alive: true);
    }

    /// <summary>A <see cref="Standalone.Rate"/> of <paramref name="hz"/> ticks per second.</summary>
    public Rate Rate(double hz) => new(hz);

    /// <summary>Adds a hook run at shutdown; hooks run in the order added.</summary>
    public void OnShutdown(Action hook) => _shutdownHooks.Add(hook ?? throw new ArgumentNullException(nameof(hook)));

    /// <summary>Blocks until the node shuts down.</summary>
    public void Spin() => _stopped.Wait();

    /// <summary>Blocks until the node shuts down or <paramref name="timeout"/> passes; true when it shut down.</summary>
    public bool Spin(TimeSpan timeout) => _stopped.Wait(timeout);

    /// <summary>Shuts the node down: runs the hooks in order, de-registers from the hub, closes the sockets.</summary>
    public void Shutdown()
    {
        if (Interlocked.Exchange(ref _shutdown, 1) != 0) return;
        // Called from a subscriber callback, we are on the poller thread, which cannot stop itself: finish elsewhere.
        if (_poller.CanExecuteTaskInline) ThreadPool.QueueUserWorkItem(_ => Teardown());
        else Teardown();
    }

    private void Teardown()
    {
        foreach (var hook in _shutdownHooks)
        {
            try
            {
                hook();
            }
            catch (Exception e)
            {
                // One failing hook must not keep the others, or the de-registration, from running.
                Console.Error.WriteLine($"[{Name}] on-shutdown hook failed: {e.Message}");
            }
        }
        // The poller first: its registration timer must not re-register the node after it said it is leaving.
        _poller.Stop();
        _poller.Dispose();
        Register(alive: false);
        lock (_publishGate)
        {
            _publisher.Dispose();
        }
        _subscriber.Dispose();
        // The de-registration may still be on its way through an ipc relay: let the lingering publisher finish
        // (its connection closes when it has) before the relay goes.
        SpinWait.SpinUntil(() => _inDial.RelayedConnections == 0, PublisherLinger + TimeSpan.FromMilliseconds(100));
        _inDial.Dispose();
        _outDial.Dispose();
        foreach (var signal in _signals) signal.Dispose();
        _stopped.Set();
    }

    /// <summary>Same as <see cref="Shutdown"/>.</summary>
    public void Dispose() => Shutdown();

    /// <summary>Sends one message; false when it reached no hub (and it is counted for <paramref name="counted"/>, if given).</summary>
    internal bool Send(byte[] topic, byte[] payload, string? counted = null)
    {
        lock (_publishGate)
        {
            if (IsShutdown && topic != _registrationTopic) return true;
            _publisher.SendFrame(topic, more: true);
            // Between the frames NetMQ still knows how many pipes the message went to; for a node that is the hub's.
            var delivered = _drops is null || _drops.Delivered > 0;
            _publisher.SendFrame(payload);
            if (!delivered && counted is not null) CountDropped(counted);
            return delivered;
        }
    }

    /// <summary>Counts a message no hub received; says so on standard error at most every 10 s. Under the publish lock.</summary>
    private void CountDropped(string topic)
    {
        var dropped = _dropped[topic] = _dropped.GetValueOrDefault(topic) + 1;
        if (!_options.LogToConsole || DateTime.UtcNow - _lastDropWarning < TimeSpan.FromSeconds(10)) return;
        _lastDropWarning = DateTime.UtcNow;
        Console.Error.WriteLine($"[WARN] {Name}: {dropped} message(s) on {topic} reached no hub so far (no hub connected yet, or it is not keeping up)");
    }

    /// <summary>Messages this node's publishers dropped per topic before they reached any hub (see <see cref="StandalonePublisher{T}.Dropped"/>).</summary>
    public IReadOnlyDictionary<string, long> Dropped
    {
        get
        {
            lock (_publishGate) return new Dictionary<string, long>(_dropped, StringComparer.Ordinal);
        }
    }

    internal void Publish(LogMessage log)
    {
        if (_options.LogToConsole) Console.Error.WriteLine($"[{log.Level}] {log.Name}: {log.Text}");
        Send(WireProtocol.EncodeTopic(WireProtocol.LogTopic), GeckoSerializer.Encode(log));
    }

    private void Register(bool alive)
    {
        try
        {
            string[] publishes, subscribes;
            lock (_publishes) publishes = [.. _publishes];
            lock (_subscribes) subscribes = [.. _subscribes];
            // Beyond pygecko's proc_info: the host (a hub on another machine must not take our pid for one of its
            // own) and the topics, which give the hub publisher and subscriber counts ZeroMQ cannot tell it.
            var registration = new ProcInfo(Environment.ProcessId, Name, alive) { Host = _host, Publishes = publishes, Subscribes = subscribes, AnnouncesTopics = true, Dropped = Dropped };
            Send(_registrationTopic, registration.Encode());
        }
        catch (ObjectDisposedException)
        {
            // Shutting down between the timer's tick and the send: nothing left to register.
        }
    }

    private void DispatchIncoming()
    {
        // Poller thread. Topic frames are short; one string per message keeps the lookup simple.
        while (_subscriber.TryReceiveFrameString(TimeSpan.Zero, out var topic, out var more))
        {
            if (!more) continue;
            var payload = _subscriber.ReceiveFrameBytes(out more);
            if (more)
            {
                _subscriber.SkipMultipartMessage();
                continue;
            }
            if (_callbacks.TryGetValue(topic, out var callback)) callback(payload);
        }
    }

    private void OnDecodeError(string topic, Type expected, string reason)
    {
        var count = Interlocked.Increment(ref _decodeErrors);
        if (DateTime.UtcNow - _lastDecodeWarning < TimeSpan.FromSeconds(2)) return;
        _lastDecodeWarning = DateTime.UtcNow;
        Log.Warn($"cannot read a message on '{topic}' as {expected.Name} ({count} so far): {reason}");
    }

    private void OnCallbackError(string topic, Exception error)
    {
        var count = Interlocked.Increment(ref _callbackErrors);
        // Poller thread only. A callback failing on every message at 1 kHz must not flood the log.
        if (DateTime.UtcNow - _lastCallbackError < TimeSpan.FromSeconds(2)) return;
        _lastCallbackError = DateTime.UtcNow;
        Log.Error($"the callback on '{topic}' failed ({count} so far): {error.GetType().Name}: {error.Message}");
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        ThreadPool.QueueUserWorkItem(_ => Shutdown());
    }
}

/// <summary>Publishes <typeparamref name="T"/> on one topic from a standalone node; thread-safe.</summary>
public sealed class StandalonePublisher<T> where T : notnull
{
    private readonly StandaloneNode _node;
    private readonly string _name;
    private readonly byte[] _topic;
    private long _dropped;

    internal StandalonePublisher(StandaloneNode node, string topic)
    {
        _node = node;
        _name = topic;
        _topic = WireProtocol.EncodeTopic(topic);
    }

    /// <summary>
    /// Messages this publisher dropped before they reached the hub: ZeroMQ's PUB socket drops silently while no hub is
    /// connected or its subscription has not arrived yet, and when the hub does not keep up (a full queue). The node
    /// announces them in its registration, so the hub's report shows them on the topic.
    /// </summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Encodes and publishes <paramref name="message"/>; false (and counted) when no hub got it.</summary>
    public bool Publish(T message)
    {
        if (_node.Send(_topic, GeckoSerializer.Encode(message), _name)) return true;
        Interlocked.Increment(ref _dropped);
        return false;
    }
}

/// <summary>A standalone node's log: each line to the <c>log</c> topic as [level, node, text] and to standard error.</summary>
public sealed class StandaloneLog
{
    private readonly StandaloneNode _node;

    internal StandaloneLog(StandaloneNode node) => _node = node;

    /// <summary>Logs at DEBUG.</summary>
    public void Debug(string text) => _node.Publish(new LogMessage("DEBUG", _node.Name, text));

    /// <summary>Logs at INFO.</summary>
    public void Info(string text) => _node.Publish(new LogMessage("INFO", _node.Name, text));

    /// <summary>Logs at WARN.</summary>
    public void Warn(string text) => _node.Publish(new LogMessage("WARN", _node.Name, text));

    /// <summary>Logs at ERROR.</summary>
    public void Error(string text) => _node.Publish(new LogMessage("ERROR", _node.Name, text));
}
