using Akka.Actor;

namespace Gecko.Core.Cluster;

/// <summary>
/// Nodes placed by role: a launch file's node with <c>role = pi</c> runs on every cluster host with that role. The
/// launching host deploys a placement actor on each such host (Akka's cluster-aware router pool: it deploys on hosts
/// that come up with the role, again when a host comes back), and that actor starts the nodes there, each under the
/// host's own backoff supervision, and stops them when the launch ends or its host leaves the cluster.
/// </summary>
public static class Placement
{
    /// <summary>What to run where: the argument of each placement actor.</summary>
    /// <param name="Name">The node's name (instances NAME, NAME-2, …).</param>
    /// <param name="TypeName">The node type's assembly-qualified name.</param>
    /// <param name="AssemblyPath">The file of its assembly on the launching host, tried on the target when the type is not found by name; null for none.</param>
    /// <param name="Count">How many instances on each host.</param>
    /// <param name="ArgumentNames">The node's argument names.</param>
    /// <param name="ArgumentValues">Their values, in the same order.</param>
    /// <param name="Role">The role it was placed by.</param>
    /// <param name="ReportTo">Who hears <see cref="NodePlaced"/> and <see cref="PlacementFailed"/> (the launcher).</param>
    public sealed record NodePlacement(
        string Name, string TypeName, string? AssemblyPath, int Count, string[] ArgumentNames, string[] ArgumentValues, string Role, IActorRef ReportTo)
        : IClusterMessage;

    /// <summary>The node runs on <paramref name="Host"/> in process <paramref name="Pid"/>.</summary>
    /// <param name="Name">The node's name.</param>
    /// <param name="Host">The cluster address of the host it runs on.</param>
    /// <param name="Pid">The process id of that host's gecko.</param>
    /// <param name="Instances">How many instances were started.</param>
    public sealed record NodePlaced(string Name, string Host, int Pid, int Instances) : IClusterMessage;

    /// <summary>The node could not be started on <paramref name="Host"/>.</summary>
    /// <param name="Name">The node's name.</param>
    /// <param name="Host">The host.</param>
    /// <param name="Reason">What is wrong, and what to do.</param>
    public sealed record PlacementFailed(string Name, string Host, string Reason) : IClusterMessage;
}
