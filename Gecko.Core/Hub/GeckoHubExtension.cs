using Akka.Actor;
using Gecko.Core.Routing;

namespace Gecko.Core.Hub;

/// <summary>
/// Where in-process nodes find the hub's router in their actor system. <see cref="GeckoHub.StartAsync"/> sets it;
/// a host may also point it at a router it runs some other way.
/// </summary>
public sealed class GeckoHubExtension : IExtension
{
    private IActorRef? _router;
    private TopicRegistry? _registry;

    /// <summary>The extension of <paramref name="system"/>.</summary>
    public static GeckoHubExtension Get(ActorSystem system) => system.WithExtension<GeckoHubExtension, GeckoHubExtensionProvider>();

    /// <summary>The router nodes publish to and subscribe with.</summary>
    /// <exception cref="GeckoException">No hub runs in this actor system.</exception>
    public IActorRef Router => Volatile.Read(ref _router)
        ?? throw new GeckoException("No Gecko hub runs in this actor system: start one with GeckoHub.StartAsync before deploying nodes.");

    /// <summary>Whether a router is set.</summary>
    public bool HasRouter => Volatile.Read(ref _router) is not null;

    /// <summary>Sets the router nodes use.</summary>
    public void SetRouter(IActorRef? router) => SetRouter(router, null);

    /// <summary>
    /// Sets the router nodes use and its topic table, with which their publishers deliver to in-process subscribers
    /// themselves while nothing else wants a topic (see <see cref="TopicPublisher"/>).
    /// </summary>
    public void SetRouter(IActorRef? router, TopicRegistry? registry)
    {
        Volatile.Write(ref _registry, router is null ? null : registry);
        Volatile.Write(ref _router, router);
    }

    /// <summary>A publisher on <paramref name="topic"/> through the router, sending as <paramref name="sender"/>.</summary>
    /// <exception cref="GeckoException">No hub runs in this actor system.</exception>
    /// <exception cref="ArgumentException">The topic is not valid.</exception>
    public TopicPublisher Publisher(string topic, IActorRef? sender = null) => new(topic, Router, Volatile.Read(ref _registry), sender);
}

/// <summary>Creates <see cref="GeckoHubExtension"/>.</summary>
public sealed class GeckoHubExtensionProvider : ExtensionIdProvider<GeckoHubExtension>
{
    /// <inheritdoc />
    public override GeckoHubExtension CreateExtension(ExtendedActorSystem system) => new();
}
