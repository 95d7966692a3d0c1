using Akka.Actor;
using Akka.Event;
using Gecko.Actors.Nodes;
using Gecko.Core.Hub;
using Gecko.Launch.LaunchFiles.Internal;
using static Gecko.Core.Cluster.Placement;

namespace Gecko.Launch.Placement.Internal;

/// <summary>
/// Runs on a host with the node's role (deployed there by <see cref="NodePlacer"/>): starts the node's instances under
/// this host's backoff supervision and says where they run. Its children stop with it.
/// </summary>
internal sealed class PlacedNodesActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly NodePlacement _placement;

    public PlacedNodesActor(NodePlacement placement)
    {
        _placement = placement;
        ReceiveAny(_ => { });
    }

    protected override void PreStart()
    {
        var host = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
        if (Resolve() is not { } type)
        {
            Fail(host, $"type '{_placement.TypeName}' is not on this host: install the same gecko here, and the node's assembly at {_placement.AssemblyPath ?? "the same path"}");
            return;
        }
        if (!GeckoHubExtension.Get(Context.System).HasRouter)
        {
            Fail(host, "no hub runs on this host");
            return;
        }
        var names = _placement.ArgumentNames ?? [];
        var values = _placement.ArgumentValues ?? [];
        var arguments = new NodeArguments(names.Zip(values, KeyValuePair.Create));
        try
        {
            for (var i = 1; i <= Math.Max(1, _placement.Count); i++)
            {
                var name = i == 1 ? _placement.Name : $"{_placement.Name}-{i}";
                NodeHost.Deploy(Context, Context.System, type, name, arguments);
            }
        }
        catch (ArgumentException e)
        {
            Fail(host, e.Message);
            return;
        }
        _log.Info("Node {0} placed here by role {1}: {2} instance(s)", _placement.Name, _placement.Role, _placement.Count);
        _placement.ReportTo.Tell(new NodePlaced(_placement.Name, host, Environment.ProcessId, Math.Max(1, _placement.Count)));
    }

    /// <summary>The node type: by name in this program, else from its assembly at the path the launching host had it.</summary>
    private Type? Resolve()
    {
        if (string.IsNullOrEmpty(_placement.TypeName)) return null;
        var type = Type.GetType(_placement.TypeName, throwOnError: false);
        if (type is null && _placement.AssemblyPath is { Length: > 0 } path)
        {
            var (assembly, _) = NodeTypes.Load(path);
            var comma = _placement.TypeName.IndexOf(',');
            type = assembly?.GetType(comma < 0 ? _placement.TypeName : _placement.TypeName[..comma], throwOnError: false);
        }
        return type is not null && typeof(GeckoNode).IsAssignableFrom(type) && !type.IsAbstract ? type : null;
    }

    private void Fail(string host, string reason)
    {
        // The actor stays (idle): stopping would only make the pool place it again on the same host.
        _log.Error("Node {0} cannot run here: {1}", _placement.Name, reason);
        _placement.ReportTo.Tell(new PlacementFailed(_placement.Name, host, reason));
    }
}
