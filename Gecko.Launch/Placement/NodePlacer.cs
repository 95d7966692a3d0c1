using Akka.Actor;
using Akka.Cluster.Routing;
using Akka.Routing;
using Gecko.Core.Cluster;
using Gecko.Launch.LaunchFiles;
using Gecko.Launch.Placement.Internal;

namespace Gecko.Launch.Placement;

/// <summary>
/// Places a launch file's node on every cluster host with its role, with a cluster-aware router pool: Akka deploys a
/// placement actor on each member with the role as it comes up (again when a host comes back after a restart), and
/// stops them when the pool stops (the launch ends) or the launching host leaves the cluster. Each placement actor
/// starts the node's instances on its host under that host's backoff supervision and reports where they run.
/// </summary>
/// <remarks>
/// Why a router pool rather than a deployer actor of our own on every host: Akka already follows membership and roles,
/// deploys on newcomers, and ties the remote actors' lives to the launch through remote supervision and death watch;
/// what is left to Gecko is what to start, which the placement actor does with the same <c>NodeHost</c> as a local node.
/// </remarks>
public static class NodePlacer
{
    /// <summary>The most hosts one node is placed on (the pool's total instances, one per host).</summary>
    public const int MaxHosts = 1000;

    /// <summary>The name of the pool that places the node named <paramref name="node"/>.</summary>
    public static string PoolName(string node) => $"{node}-placement";

    /// <summary>Starts placing <paramref name="node"/> on the hosts with its role; returns the pool (stop it to remove the nodes).</summary>
    /// <param name="system">The launcher's actor system (a cluster host).</param>
    /// <param name="node">The node; its <see cref="NodeSpec.Role"/> must be set.</param>
    /// <param name="reportTo">Hears <see cref="Core.Cluster.Placement.NodePlaced"/> and <see cref="Core.Cluster.Placement.PlacementFailed"/>.</param>
    public static IActorRef Place(ActorSystem system, NodeSpec node, IActorRef reportTo)
    {
        ArgumentException.ThrowIfNullOrEmpty(node.Role);
        var placement = new Core.Cluster.Placement.NodePlacement(node.Name, node.Type.AssemblyQualifiedName!,
            string.IsNullOrEmpty(node.Type.Assembly.Location) ? null : node.Type.Assembly.Location, node.Count,
            node.Arguments.Keys.ToArray(), node.Arguments.Values.ToArray(), node.Role, reportTo);
        var pool = new ClusterRouterPool(new BroadcastPool(0),
            new ClusterRouterPoolSettings(MaxHosts, maxInstancesPerNode: 1, allowLocalRoutees: true, useRole: node.Role));
        return system.ActorOf(Props.Create(() => new PlacedNodesActor(placement)).WithRouter(pool), PoolName(node.Name));
    }
}
