using System.Reflection;
using Akka.Actor;
using Akka.Event;
using IClusterActorRefProvider = Akka.Cluster.IClusterActorRefProvider;
using Gecko.Core.Bridge;
using Gecko.Core.Cluster;
using Gecko.Core.Cluster.Internal;
using Gecko.Core.Discovery;
using Gecko.Core.Introspection;
using Gecko.Core.Routing;

namespace Gecko.Core.Hub;

/// <summary>
/// A running GeckoCore: the <see cref="TopicRouter"/> actor, the NetMQ bridge in front of it, the core file and the
/// beacon responder. Dispose it to stop them all; the actor system stays the caller's.
/// </summary>
public sealed class GeckoHub : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly NetMqBridge _bridge;
    private readonly CoreFile? _coreFile;
    private int _disposed;

    private readonly ClusterMembership? _membership;

    private GeckoHub(ActorSystem system, CoreSettings settings, IActorRef router, TopicRegistry topics, HubCounters counters, NetMqBridge bridge,
        CoreFile? coreFile, BeaconResponder? beacon, ClusterMembership? membership)
    {
        _membership = membership;
        _system = system;
        Beacon = beacon;
        Settings = settings;
        Router = router;
        Topics = topics;
        Counters = counters;
        _bridge = bridge;
        _coreFile = coreFile;
    }

    /// <summary>The settings the hub runs with.</summary>
    public CoreSettings Settings { get; }

    /// <summary>The router: send it <see cref="TopicRouter.Publish"/>, <see cref="TopicRouter.Subscribe"/> and queries.</summary>
    public IActorRef Router { get; }

    /// <summary>The live topic table.</summary>
    public TopicRegistry Topics { get; }

    /// <summary>The hub-wide counters (malformed input).</summary>
    public HubCounters Counters { get; }

    /// <summary>Where publishers connect (the bound endpoint, with the chosen port).</summary>
    public string InAddress => _bridge.InAddress;

    /// <summary>Where subscribers connect.</summary>
    public string OutAddress => _bridge.OutAddress;

    /// <summary>The beacon responder answering look-ups for <see cref="CoreSettings.Key"/>; null when it is off or could not start.</summary>
    public BeaconResponder? Beacon { get; }

    /// <summary>The hub's <see cref="System.Diagnostics.Metrics.Meter"/> (<see cref="HubMetrics.MeterName"/>) and its instruments.</summary>
    public HubMetrics Metrics { get; private init; } = null!;

    /// <summary>The Gecko version hubs report (the assembly's informational version).</summary>
    public static string Version { get; } =
        typeof(GeckoHub).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The core file, when one was written.</summary>
    public string? CoreFilePath => _coreFile?.Path;

    /// <summary>
    /// This host's cluster actor (<see cref="ClusterRouting"/>) when the actor system is a cluster host
    /// (<c>gecko.cluster.enabled</c>); null otherwise. A host the others removed and that joined again has a new one.
    /// </summary>
    public IActorRef? ClusterActor => _membership?.Actor;

    /// <summary>
    /// The actor system this host is a cluster member with: the hub's, or after this host was removed and joined
    /// again (<c>gecko.cluster.rejoin</c>), the new identity's; null when the hub is not in a cluster.
    /// </summary>
    public ActorSystem? ClusterSystem => _membership?.System;

    /// <summary>The bridge, for tests that look at its Unix socket relays.</summary>
    internal NetMqBridge Bridge => _bridge;

    /// <summary>Starts a hub in <paramref name="system"/>; returns once both sockets are bound and the router is ready.</summary>
    /// <param name="system">The actor system to host the router.</param>
    /// <param name="settings">The hub settings.</param>
    /// <param name="encoder">Encodes in-process messages for external subscribers (<see cref="Messages.GeckoMessageEncoder"/> when null).</param>
    /// <param name="name">The router actor's name.</param>
    /// <param name="cluster">The cluster settings; null: <c>gecko.cluster</c> of the system's config.</param>
    /// <remarks>
    /// When <c>gecko.cluster.enabled</c> is on in the system's config (created over
    /// <see cref="ClusterSettings.ToAkkaConfig"/>), the hub also starts this host's cluster actor and joins the seeds:
    /// topics then flow between hosts.
    /// </remarks>
    /// <exception cref="GeckoBindException">An endpoint cannot be bound.</exception>
    /// <exception cref="GeckoConfigurationException">The cluster is on but the actor system is not a cluster host.</exception>
    public static async Task<GeckoHub> StartAsync(ActorSystem system, CoreSettings settings, IMessageEncoder? encoder = null, string name = "gecko-router",
        ClusterSettings? cluster = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        settings.Validated();
        var clusterSettings = cluster ?? ClusterSettings.Create(system.Settings.Config);
        if (clusterSettings.Enabled && ((ExtendedActorSystem)system).Provider is not IClusterActorRefProvider)
            throw new GeckoConfigurationException("gecko.cluster.enabled is on but the actor system is not a cluster host: create it over ClusterSettings.ToAkkaConfig (gecko core and gecko launch do).");
        var topics = new TopicRegistry(settings.MaxTopics);
        var counters = new HubCounters();
        var router = system.ActorOf(TopicRouter.Props(settings, topics, counters, encoder ?? Messages.GeckoMessageEncoder.Instance), name);
        NetMqBridge? bridge = null;
        HubMetrics? metrics = null;
        try
        {
            bridge = NetMqBridge.Start(settings, topics, counters, router, Akka.Event.Logging.GetLogger(system, "gecko.curve"));
            var started = bridge;
            metrics = new HubMetrics(topics, counters, settings.Key, bridge.InAddress, bridge.OutAddress, () => started.IpcConnections);
            var identity = new HubIdentity(Environment.ProcessId, System.Net.Dns.GetHostName(), settings.Key, bridge.InAddress, bridge.OutAddress, Version);
            await router.Ask<TopicRouter.Ack>(new TopicRouter.AttachOutbound(bridge, identity, metrics), TimeSpan.FromSeconds(10));
        }
        catch
        {
            metrics?.Dispose();
            bridge?.Dispose();
            await StopRouterAsync(router);
            throw;
        }
        var membership = clusterSettings.Enabled
            ? await ClusterMembership.StartAsync(system, clusterSettings, topics, router, bridge, settings.MaxPayloadSize)
            : null;
        GeckoHubExtension.Get(system).SetRouter(router, topics);
        var coreFile = settings.WriteCoreFile ? TryWriteCoreFile(system, settings, bridge) : null;
        var beacon = settings.Beacon.Enabled
            ? BeaconResponder.TryStart(settings.Beacon, settings.Key, bridge.InAddress, bridge.OutAddress, Akka.Event.Logging.GetLogger(system, "gecko.beacon"))
            : null;
        return new GeckoHub(system, settings, router, topics, counters, bridge, coreFile, beacon, membership) { Metrics = metrics };
    }

    private static CoreFile? TryWriteCoreFile(ActorSystem system, CoreSettings settings, NetMqBridge bridge)
    {
        try
        {
            return CoreFile.Write(bridge.InAddress, bridge.OutAddress, settings.Key, settings.CoreFileDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The hub works without it; only discovery through the core file does not.
            system.Log.Warning("Could not write the core file in {0} ({1}); nodes must be given the hub's addresses. " +
                "Set gecko.core.core-file-directory to a writable folder, or write-core-file = off.", settings.CoreFileDirectory, e.Message);
            return null;
        }
    }

    private static async Task StopRouterAsync(IActorRef router)
    {
        try
        {
            await router.GracefulStop(TimeSpan.FromSeconds(5));
        }
        catch (TaskCanceledException) { }
        catch (AskTimeoutException) { }
    }

    /// <summary>A snapshot of the hub's counters.</summary>
    public async Task<HubStats> GetStatsAsync(TimeSpan? timeout = null) =>
        (await Router.Ask<TopicRouter.CurrentStats>(TopicRouter.GetStats.Instance, timeout ?? TimeSpan.FromSeconds(10))).Stats;

    /// <summary>This host's view of the cluster; null when the hub is not in one.</summary>
    public async Task<ClusterState?> GetClusterStateAsync(TimeSpan? timeout = null) => ClusterActor is null
        ? null
        : (await ClusterActor.Ask<ClusterRouting.CurrentState>(ClusterRouting.GetState.Instance, timeout ?? TimeSpan.FromSeconds(10))).State;

    /// <summary>
    /// Leaves the cluster (others see this host leave rather than become unreachable), stops answering look-ups,
    /// stops the bridge (sockets closed) and the router, and removes the core file.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_membership is not null) await _membership.DisposeAsync();
        if (Beacon is not null) await Beacon.DisposeAsync();
        _bridge.Dispose();
        Metrics.Dispose();
        _coreFile?.Dispose();
        var extension = GeckoHubExtension.Get(_system);
        if (extension.HasRouter && extension.Router.Equals(Router)) extension.SetRouter(null);
        await StopRouterAsync(Router);
    }
}
