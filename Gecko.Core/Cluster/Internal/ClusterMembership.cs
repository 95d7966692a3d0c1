using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Remote;
using Gecko.Core.Bridge;
using Gecko.Core.Hub;
using Gecko.Core.Routing;

namespace Gecko.Core.Cluster.Internal;

/// <summary>
/// This host's place in the cluster: the cluster actor, the actor system it is a member with, and what happens when the
/// others remove this host. Akka never lets a removed member back under the same identity (its actor system), and the
/// hub's actor system cannot be replaced without stopping the hub, its nodes and the launcher's processes; so a removed
/// host keeps its hub and routes locally, stops listening for other hosts in the hub's system, and joins again with a
/// new actor system for the cluster part only, on the same address and port: the seeds and the hosts it last saw, never
/// itself (a removed seed must not start a cluster of its own while the others are still out of reach).
/// </summary>
internal sealed class ClusterMembership : IAsyncDisposable
{
    private readonly ActorSystem _hubSystem;
    private readonly ClusterSettings _settings;
    private readonly TopicRegistry _topics;
    private readonly IActorRef _router;
    private readonly NetMqBridge _bridge;
    private readonly int _maxPayloadSize;
    private readonly ILoggingAdapter _log;
    private readonly object _gate = new();
    private readonly HashSet<Address> _seen = [];
    private readonly CancellationTokenSource _stopping = new();
    private ActorSystem _system;
    private IActorRef _actor = ActorRefs.Nobody;
    private Task _rejoining = Task.CompletedTask;
    private int _incarnation;

    private ClusterMembership(ActorSystem hubSystem, ClusterSettings settings, TopicRegistry topics, IActorRef router, NetMqBridge bridge, int maxPayloadSize)
    {
        _hubSystem = hubSystem;
        _system = hubSystem;
        _settings = settings;
        _topics = topics;
        _router = router;
        _bridge = bridge;
        _maxPayloadSize = maxPayloadSize;
        _log = Logging.GetLogger(hubSystem, "gecko.cluster");
        // An owner that ends the hub's system without disposing the hub: no rejoin after that, and no identity left behind.
        hubSystem.RegisterOnTermination(() => _ = DisposeAsync().AsTask());
    }

    /// <summary>The cluster actor of the current identity.</summary>
    public IActorRef Actor
    {
        get
        {
            lock (_gate) return _actor;
        }
    }

    /// <summary>The actor system this host is a cluster member with now: the hub's, or a later identity's after a rejoin.</summary>
    public ActorSystem System
    {
        get
        {
            lock (_gate) return _system;
        }
    }

    /// <summary>Starts the cluster actor in the hub's actor system (a cluster host) and joins the seeds.</summary>
    public static async Task<ClusterMembership> StartAsync(ActorSystem hubSystem, ClusterSettings settings, TopicRegistry topics, IActorRef router,
        NetMqBridge bridge, int maxPayloadSize)
    {
        var membership = new ClusterMembership(hubSystem, settings, topics, router, bridge, maxPayloadSize);
        await membership.StartIncarnationAsync(hubSystem, rejoined: false);
        return membership;
    }

    private async Task StartIncarnationAsync(ActorSystem system, bool rejoined)
    {
        var incarnation = Interlocked.Increment(ref _incarnation);
        var actor = system.ActorOf(ClusterRouting.Props(_settings, _topics, _router, _maxPayloadSize, _hubSystem.EventStream, rejoined, Seen),
            ClusterRouting.ActorName);
        lock (_gate)
        {
            _system = system;
            _actor = actor;
        }
        _bridge.AttachCluster(actor);
        await _router.Ask<TopicRouter.Ack>(new TopicRouter.AttachCluster(actor), TimeSpan.FromSeconds(10));
        var cluster = Akka.Cluster.Cluster.Get(system);
        if (_settings.Rejoin) cluster.RegisterOnMemberRemoved(() => Removed(incarnation));
        var self = cluster.SelfAddress;
        if (!rejoined)
        {
            if (_settings.SeedNodes.Count == 0) cluster.Join(self);
            else cluster.JoinSeedNodes(_settings.JoinAddresses.Select(Address.Parse));
            return;
        }
        // Never this host itself: the first seed joining itself would start a second cluster while the link is still down.
        List<Address> others;
        lock (_gate)
            others = _settings.JoinAddresses.Select(Address.Parse).Concat(_seen).Where(a => !a.Equals(self)).Distinct().ToList();
        if (others.Count == 0)
        {
            _log.Warning("cluster: this host knows no other host to rejoin through (no seeds, none seen): it starts a cluster of its own again");
            cluster.Join(self);
        }
        else cluster.JoinSeedNodes(others);
    }

    private void Seen(Address address, bool up)
    {
        lock (_gate)
        {
            if (up) _seen.Add(address);
            else _seen.Remove(address);
        }
    }

    /// <summary>This host's identity <paramref name="incarnation"/> was removed (or its cluster stopped): join again, unless the hub is stopping.</summary>
    private void Removed(int incarnation)
    {
        lock (_gate)
        {
            // Removed because this host's own system is ending (its cluster stops with it): nothing to rejoin.
            if (_stopping.IsCancellationRequested || incarnation != _incarnation || CoordinatedShutdown.Get(_system).ShutdownReason is not null) return;
            var self = Akka.Cluster.Cluster.Get(_system).SelfAddress;
            var removed = new ClusterRouting.MembershipChanged(self.ToString(), _settings.Roles.Order(StringComparer.Ordinal).ToArray(),
                MembershipChange.Removed, IsSelf: true) { WillRejoin = true };
            _log.Warning("{0}", removed.Text);
            _hubSystem.EventStream.Publish(removed);
            _rejoining = Task.Run(() => RejoinAsync(_system, _actor, _stopping.Token));
        }
    }

    private async Task RejoinAsync(ActorSystem removed, IActorRef removedActor, CancellationToken token)
    {
        var address = Akka.Cluster.Cluster.Get(removed).SelfAddress;
        try
        {
            // Where the others knew this host: an OS-chosen port is kept, so seeds naming it and proxies in front still lead here.
            var settings = _settings.Port == 0 && _settings.PublicPort == 0 && address.Port is { } bound ? _settings with { Port = bound } : _settings;
            // Until the new identity is in, messages stay here: nothing is handed to a cluster actor that is gone.
            _bridge.AttachCluster(ActorRefs.Nobody);
            await _router.Ask<TopicRouter.Ack>(new TopicRouter.AttachCluster(ActorRefs.Nobody), TimeSpan.FromSeconds(10));
            await StopAsync(removedActor);
            await ReleaseAsync(removed);
            while (true)
            {
                await Task.Delay(_settings.RejoinAfter, token);
                ActorSystem system;
                try
                {
                    system = ActorSystem.Create(ClusterSettings.SystemName, settings.ToActorSystemSetup(_hubSystem.Settings.Config, _maxPayloadSize));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _log.Warning("cluster: cannot listen on {0} to rejoin ({1}); trying again in {2}", address, e.GetBaseException().Message, _settings.RejoinAfter);
                    continue;
                }
                // Nodes other hosts place here by role run in the new identity's system and publish through this hub.
                GeckoHubExtension.Get(system).SetRouter(_router);
                if (token.IsCancellationRequested)
                {
                    await system.Terminate();
                    return;
                }
                _log.Info("cluster: this host {0} joins again under a new identity", address);
                await StartIncarnationAsync(system, rejoined: true);
                return;
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            _log.Error(e, "cluster: this host {0} could not rejoin the cluster; restart it to join again", address);
        }
    }

    /// <summary>Frees the removed identity's port: the hub's own system stops listening for other hosts (it keeps running), a later identity's system ends.</summary>
    private async Task ReleaseAsync(ActorSystem removed)
    {
        if (!ReferenceEquals(removed, _hubSystem))
        {
            await removed.Terminate();
            return;
        }
        if (((ExtendedActorSystem)removed).Provider is RemoteActorRefProvider remote) await remote.Transport.Shutdown();
    }

    private static async Task StopAsync(IActorRef actor)
    {
        try
        {
            await actor.GracefulStop(TimeSpan.FromSeconds(5));
        }
        catch (TaskCanceledException) { }
        catch (AskTimeoutException) { }
    }

    /// <summary>
    /// Leaves the cluster (the others see this host leave rather than become unreachable), stops the cluster actor and
    /// any rejoin under way, and ends a later identity's actor system (the hub's stays its owner's).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested) return;
            _stopping.Cancel();
        }
        await _rejoining;
        var system = System;
        var cluster = Akka.Cluster.Cluster.Get(system);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            // A member that never got in (no seed answered) or was removed has nothing to leave.
            if (!cluster.IsTerminated && cluster.SelfMember.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
                await cluster.LeaveAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _log.Warning("Leaving the cluster took longer than 5 s; the others will find this host unreachable and remove it.");
        }
        await StopAsync(Actor);
        if (!ReferenceEquals(system, _hubSystem)) await system.Terminate();
        _stopping.Dispose();
    }
}
