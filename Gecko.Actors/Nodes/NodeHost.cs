using Akka.Actor;
using Akka.Pattern;
using Gecko.Core.Hub;
using Gecko.Core.Messages;
using Gecko.Core.Routing;
using Gecko.Core.Wire;

namespace Gecko.Actors.Nodes;

/// <summary>How a failing node is restarted: exponential backoff between <see cref="MinBackoff"/> and <see cref="MaxBackoff"/>.</summary>
/// <param name="MinBackoff">The first delay.</param>
/// <param name="MaxBackoff">The longest delay.</param>
/// <param name="RandomFactor">Jitter added to each delay (0.2 = up to 20 %).</param>
public sealed record NodeSupervision(TimeSpan MinBackoff, TimeSpan MaxBackoff, double RandomFactor)
{
    /// <summary>0.2 s doubling to 10 s, 20 % jitter.</summary>
    public static readonly NodeSupervision Default = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2);
}

/// <summary>Deploys in-process nodes, each under a supervisor that restarts it with backoff when it throws.</summary>
public static class NodeHost
{
    /// <summary>Deploys a node of type <typeparamref name="TNode"/> named <paramref name="name"/>; returns its supervisor.</summary>
    public static IActorRef Deploy<TNode>(IActorRefFactory context, ActorSystem system, string name, NodeArguments? arguments = null, NodeSupervision? supervision = null)
        where TNode : GeckoNode =>
        Deploy(context, system, typeof(TNode), name, arguments, supervision);

    /// <summary>Deploys a node of <paramref name="nodeType"/> (a <see cref="GeckoNode"/> with a constructor taking
    /// <see cref="NodeArguments"/> or none) named <paramref name="name"/>; returns its supervisor.</summary>
    /// <exception cref="ArgumentException">The type is not a node or has no usable constructor.</exception>
    public static IActorRef Deploy(IActorRefFactory context, ActorSystem system, Type nodeType, string name, NodeArguments? arguments = null, NodeSupervision? supervision = null)
    {
        var props = NodeProps(nodeType, arguments ?? NodeArguments.Empty);
        var router = GeckoHubExtension.Get(system).Router;
        var policy = supervision ?? NodeSupervision.Default;
        var strategy = new OneForOneStrategy(error =>
        {
            // The failure goes to the log topic so every tool watching the robot sees it, not only this host's log.
            router.Tell(new TopicRouter.Publish(WireProtocol.LogTopic,
                new LogMessage("ERROR", name, $"node failed and will restart: {error.GetType().Name}: {error.Message}")));
            return Directive.Restart;
        });
        var options = Backoff.OnFailure(props, name, policy.MinBackoff, policy.MaxBackoff, policy.RandomFactor, -1)
            .WithSupervisorStrategy(strategy);
        return context.ActorOf(BackoffSupervisor.Props(options), $"{name}-supervisor");
    }

    /// <summary>Props for a node of <paramref name="nodeType"/>, passing <paramref name="arguments"/> when its constructor takes them.</summary>
    public static Props NodeProps(Type nodeType, NodeArguments arguments)
    {
        if (!typeof(GeckoNode).IsAssignableFrom(nodeType) || nodeType.IsAbstract)
            throw new ArgumentException($"{nodeType.FullName} is not a concrete GeckoNode.", nameof(nodeType));
        if (nodeType.GetConstructor([typeof(NodeArguments)]) is not null) return Props.Create(nodeType, arguments);
        if (nodeType.GetConstructor(Type.EmptyTypes) is not null) return Props.Create(nodeType);
        throw new ArgumentException($"{nodeType.FullName} needs a public constructor taking NodeArguments, or none.", nameof(nodeType));
    }
}
