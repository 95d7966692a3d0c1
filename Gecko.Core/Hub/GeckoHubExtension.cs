using Akka.Actor;

namespace Gecko.Core.Hub;

/// <summary>
/// Where in-process nodes find the hub's router in their actor system. <see cref="GeckoHub.StartAsync"/> sets it;
/// a host may also point it at a router it runs some other way.
/// </summary>
public sealed class GeckoHubExtension : IExtension
{
    private IActorRef? _router;

    /// <summary>The extension of <paramref name="system"/>.</summary>
    public static GeckoHubExtension Get(ActorSystem system) => system.WithExtension<GeckoHubExtension, GeckoHubExtensionProvider>();

    /// <summary>The router nodes publish to and subscribe with.</summary>
    /// <exception cref="GeckoException">No hub runs in this actor system.</exception>
    public IActorRef Router => Volatile.Read(ref _router)
        ?? throw new GeckoException("No Gecko hub runs in this actor system: start one with GeckoHub.StartAsync before deploying nodes.");

    /// <summary>Whether a router is set.</summary>
    public bool HasRouter => Volatile.Read(ref _router) is not null;

    /// <summary>Sets the router nodes use.</summary>
    public void SetRouter(IActorRef? router) => Volatile.Write(ref _router, router);
}

/// <summary>Creates <see cref="GeckoHubExtension"/>.</summary>
public sealed class GeckoHubExtensionProvider : ExtensionIdProvider<GeckoHubExtension>
{
    /// <inheritdoc />
    public override GeckoHubExtension CreateExtension(ExtendedActorSystem system) => new();
}
