using Akka.Actor;
using Akka.Event;
using Gecko.Core.Hub;
using Gecko.Core.Messages;
using Gecko.Core.Routing;
using Gecko.Core.Wire;
using LogMessage = Gecko.Core.Messages.LogMessage;

namespace Gecko.Actors.Nodes;

/// <summary>
/// The base of an in-process node: an actor that publishes and subscribes to topics through the hub's router, runs
/// work at fixed rates, logs to the <c>log</c> topic and runs hooks when it stops. Messages between in-process nodes
/// pass by reference; they are serialized only when something outside the process subscribes.
/// </summary>
/// <example>
/// <code>
/// public sealed class Talker : GeckoNode
/// {
///     public Talker(NodeArguments args) : base(args)
///     {
///         var cmd = Publisher&lt;Twist&gt;("cmd");
///         Every(10, () =&gt; cmd.Publish(new Twist(new Vector(0.5, 0, 0), new Vector(0, 0, 0.1))));
///         Subscribe&lt;Imu&gt;("imu", imu =&gt; Log.Info($"accel z {imu.LinearAcceleration.Z}"));
///     }
/// }
/// </code>
/// </example>
public abstract class GeckoNode : ReceiveActor, IWithTimers
{
    private readonly Dictionary<string, Action<object>> _handlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Action> _periodic = new(StringComparer.Ordinal);
    private readonly List<Action> _shutdownHooks = [];
    private readonly List<(string Key, TimeSpan Period)> _pendingTimers = [];
    private readonly IActorRef _router;
    private readonly ILoggingAdapter _akkaLog;
    private DateTime _lastDecodeWarning = DateTime.MinValue;
    private bool _started;

    private sealed record RunPeriodic(string Key);

    /// <summary>Creates the node; <paramref name="arguments"/> come from the host or launch file.</summary>
    protected GeckoNode(NodeArguments? arguments = null)
    {
        Args = arguments ?? NodeArguments.Empty;
        _router = GeckoHubExtension.Get(Context.System).Router;
        _akkaLog = Context.GetLogger();
        Log = new NodeLog(this);
        Receive<TopicRouter.TopicMessage>(Dispatch);
        Receive<RunPeriodic>(run =>
        {
            if (_periodic.TryGetValue(run.Key, out var work)) work();
        });
        Receive<TopicRouter.SubscribeAck>(_ => { });
    }

    /// <summary>The node's name: its actor's name.</summary>
    public string Name => Self.Path.Name;

    /// <summary>The node's arguments.</summary>
    protected NodeArguments Args { get; }

    /// <summary>Logs to the Akka log and publishes on the <c>log</c> topic.</summary>
    protected NodeLog Log { get; }

    /// <summary>Messages on subscribed topics this node could not decode (each also logged).</summary>
    public long DecodeErrors { get; private set; }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>A publisher of <typeparamref name="T"/> on <paramref name="topic"/>; the hub counts this node among its publishers.</summary>
    protected Publisher<T> Publisher<T>(string topic) where T : notnull
    {
        var publisher = GeckoHubExtension.Get(Context.System).Publisher(topic, Self);
        _router.Tell(new TopicRouter.DeclarePublisher(topic, Self));
        return new Publisher<T>(publisher);
    }

    /// <summary>
    /// Calls <paramref name="handler"/> with each <typeparamref name="T"/> published on <paramref name="topic"/>: the same
    /// instance from in-process publishers, decoded from the payload when it came from outside. A payload that is
    /// not a <typeparamref name="T"/> is counted in <see cref="DecodeErrors"/> and logged; the node carries on.
    /// </summary>
    protected void Subscribe<T>(string topic, Action<T> handler)
    {
        WireProtocol.EncodeTopic(topic);
        ArgumentNullException.ThrowIfNull(handler);
        _handlers[topic] = message =>
        {
            switch (message)
            {
                case T typed:
                    handler(typed);
                    break;
                case byte[] payload:
                    if (GeckoSerializer.TryDecode<T>(payload, out var decoded, out var error)) handler(decoded!);
                    else OnDecodeError(topic, typeof(T), error!);
                    break;
                default:
                    OnDecodeError(topic, typeof(T), $"got a {message.GetType().Name}");
                    break;
            }
        };
        if (_started) _router.Tell(new TopicRouter.Subscribe(topic, Self));
    }

    /// <summary>Runs <paramref name="work"/> <paramref name="hz"/> times a second, on the node's own thread.</summary>
    protected void Every(double hz, Action work)
    {
        if (!(hz > 0 && hz <= 100_000)) throw new ArgumentOutOfRangeException(nameof(hz), hz, "Give a rate between 0 and 100000 Hz.");
        Every(TimeSpan.FromSeconds(1 / hz), work);
    }

    /// <summary>Runs <paramref name="work"/> every <paramref name="period"/>, on the node's own thread.</summary>
    protected void Every(TimeSpan period, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var key = $"every-{_periodic.Count}";
        _periodic[key] = work;
        if (_started) Timers.StartPeriodicTimer(key, new RunPeriodic(key), period);
        else _pendingTimers.Add((key, period));
    }

    /// <summary>Runs <paramref name="hook"/> when the node stops (hooks run in the order added).</summary>
    protected void OnShutdown(Action hook) => _shutdownHooks.Add(hook ?? throw new ArgumentNullException(nameof(hook)));

    /// <inheritdoc />
    protected override void PreStart()
    {
        _started = true;
        foreach (var topic in _handlers.Keys) _router.Tell(new TopicRouter.Subscribe(topic, Self));
        foreach (var (key, period) in _pendingTimers) Timers.StartPeriodicTimer(key, new RunPeriodic(key), period);
        _pendingTimers.Clear();
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        foreach (var hook in _shutdownHooks)
        {
            try
            {
                hook();
            }
            catch (Exception e)
            {
                // One failing hook must not keep the others from running.
                _akkaLog.Error(e, "On-shutdown hook of node {0} failed", Name);
            }
        }
    }

    private void Dispatch(TopicRouter.TopicMessage message)
    {
        if (_handlers.TryGetValue(message.Topic, out var handler)) handler(message.Message);
    }

    private void OnDecodeError(string topic, Type expected, string reason)
    {
        DecodeErrors++;
        // Throttled: a misbehaving publisher at 1 kHz must not flood the log.
        if (DateTime.UtcNow - _lastDecodeWarning < TimeSpan.FromSeconds(2)) return;
        _lastDecodeWarning = DateTime.UtcNow;
        Log.Warn($"cannot read a message on '{topic}' as {expected.Name} ({DecodeErrors} so far): {reason}");
    }

    internal void Publish(LogMessage log)
    {
        _router.Tell(new TopicRouter.Publish(WireProtocol.LogTopic, log), Self);
        switch (log.Level)
        {
            case "DEBUG": _akkaLog.Debug("{0}", log.Text); break;
            case "INFO": _akkaLog.Info("{0}", log.Text); break;
            case "WARN": _akkaLog.Warning("{0}", log.Text); break;
            default: _akkaLog.Error("{0}", log.Text); break;
        }
    }
}

/// <summary>Publishes <typeparamref name="T"/> on one topic. Safe to use from the node's handlers.</summary>
/// <remarks>
/// While only in-process nodes subscribe to the topic, it delivers to them itself rather than through the router's
/// mailbox (see <see cref="TopicPublisher"/>): every message once, in order, counted on the topic.
/// </remarks>
public sealed class Publisher<T> where T : notnull
{
    private readonly TopicPublisher _publisher;

    internal Publisher(TopicPublisher publisher) => _publisher = publisher;

    /// <summary>The topic.</summary>
    public string Topic => _publisher.Topic;

    /// <summary>Publishes <paramref name="message"/>; in-process subscribers receive this very instance.</summary>
    public void Publish(T message) => _publisher.Publish(message);
}

/// <summary>A node's log: each line goes to the Akka log and to the <c>log</c> topic as [level, node, text].</summary>
public sealed class NodeLog
{
    private readonly GeckoNode _node;

    internal NodeLog(GeckoNode node) => _node = node;

    /// <summary>Logs at DEBUG.</summary>
    public void Debug(string text) => _node.Publish(new LogMessage("DEBUG", _node.Name, text));

    /// <summary>Logs at INFO.</summary>
    public void Info(string text) => _node.Publish(new LogMessage("INFO", _node.Name, text));

    /// <summary>Logs at WARN.</summary>
    public void Warn(string text) => _node.Publish(new LogMessage("WARN", _node.Name, text));

    /// <summary>Logs at ERROR.</summary>
    public void Error(string text) => _node.Publish(new LogMessage("ERROR", _node.Name, text));
}
