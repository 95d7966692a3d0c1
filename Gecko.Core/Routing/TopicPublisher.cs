using Akka.Actor;
using Gecko.Core.Wire;

namespace Gecko.Core.Routing;

/// <summary>
/// Publishes on one topic from one thread at a time (an in-process node's handlers, or one thread of its own). While
/// only in-process subscribers want the topic it delivers to them itself — the same <see cref="TopicRouter.TopicMessage"/>
/// a router would send, counted on the topic — which saves the router's mailbox hop; otherwise (ZeroMQ subscribers,
/// other cluster hosts, right after subscriptions changed, once per stats interval) it publishes through the router.
/// Either way each subscriber gets every message once and in the order published: the publisher delivers itself only
/// once the router has delivered all it handed it before.
/// </summary>
public sealed class TopicPublisher
{
    private readonly IActorRef _router;
    private readonly IActorRef _sender;
    private readonly TopicCounters? _counters;
    private readonly PublishTicket _ticket = new();

    /// <summary>
    /// A publisher on <paramref name="topic"/> through <paramref name="router"/>; <paramref name="registry"/> (the
    /// router's topic table) lets it deliver itself, null publishes everything through the router.
    /// </summary>
    /// <param name="topic">The topic, 1–255 UTF-8 bytes.</param>
    /// <param name="router">The hub's router.</param>
    /// <param name="registry">The hub's topic registry, or null.</param>
    /// <param name="sender">The sender subscribers see (the publishing node).</param>
    /// <exception cref="ArgumentException">The topic is not valid.</exception>
    public TopicPublisher(string topic, IActorRef router, TopicRegistry? registry, IActorRef? sender = null)
    {
        WireProtocol.CheckTopic(topic);
        Topic = topic;
        _router = router;
        _sender = sender ?? ActorRefs.NoSender!;
        _counters = CountersOf(topic, registry);
    }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>A full topic table is the router's to report (it warns and drops): the publisher then always goes through it.</summary>
    private static TopicCounters? CountersOf(string topic, TopicRegistry? registry)
    {
        if (registry is null) return null;
        try
        {
            return registry.GetOrAdd(topic);
        }
        catch (GeckoException)
        {
            return null;
        }
    }

    /// <summary>Publishes <paramref name="message"/> (a raw payload or a message the hub's encoder knows); in-process subscribers receive this very instance.</summary>
    public void Publish(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        // The route is read again once the router has delivered all this publisher handed it: one read before could
        // predate a subscriber that has since received some of those, and would skip it for this message.
        var route = _counters is null || _counters.DirectRoute is null || _counters.HasRemoteInterest || !RouterCaughtUp() ? null : _counters.DirectRoute;
        if (route is null)
        {
            Interlocked.Increment(ref _ticket.Pending);
            _router.Tell(new TopicRouter.Publish(Topic, message) { Ticket = _ticket }, _sender);
            return;
        }
        _counters!.CountDirect(message is byte[] payload ? payload.Length : Math.Max(0, route.SampledSize));
        var subscribers = route.Subscribers;
        if (subscribers.Length == 0) return;
        var delivery = new TopicRouter.TopicMessage(Topic, message);
        for (var i = 0; i < subscribers.Length; i++) subscribers[i].Tell(delivery, _sender);
    }

    /// <summary>
    /// Whether the router has delivered all this publisher handed it, waiting a moment if not: it offered a direct route
    /// after it decided, so it is behind by what was published since. Without the wait a publisher faster than the router
    /// (a flood) would never find it caught up and pay the hop for ever. Bounded: a router that does not catch up (one
    /// that stopped, one that is busy) is used as before.
    /// </summary>
    private bool RouterCaughtUp()
    {
        if (Volatile.Read(ref _ticket.Pending) == 0) return true;
        var spinner = new SpinWait();
        for (var i = 0; i < CatchUpSpins; i++)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
            if (Volatile.Read(ref _ticket.Pending) == 0) return true;
        }
        return false;
    }

    /// <summary>Spins (then yields of the thread) to wait for the router: tens of microseconds on an idle machine.</summary>
    private const int CatchUpSpins = 100;
}

/// <summary>How many of a <see cref="TopicPublisher"/>'s publications the router has yet to deliver.</summary>
internal sealed class PublishTicket
{
    public long Pending;

    /// <summary>The router delivered one (called after its last Tell to a subscriber).</summary>
    public void Delivered() => Interlocked.Decrement(ref Pending);
}

/// <summary>The in-process subscribers of a topic at one moment, and the size its typed messages were last sampled at.</summary>
internal sealed class DirectRoute(IActorRef[] subscribers, int sampledSize)
{
    public readonly IActorRef[] Subscribers = subscribers;
    public readonly int SampledSize = sampledSize;
}
