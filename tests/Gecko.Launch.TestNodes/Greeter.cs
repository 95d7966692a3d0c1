using Gecko.Actors.Nodes;

namespace Gecko.Launch.TestNodes;

/// <summary>Publishes <c>{"text": ...}</c> on its topic ten times a second, so a test sees that it was deployed.</summary>
public sealed class Greeter : GeckoNode
{
    public Greeter(NodeArguments args) : base(args)
    {
        var greetings = Publisher<Dictionary<string, object>>(Args.Get("topic", "greetings"));
        var text = Args.Get("text", "hi");
        Every(10, () => greetings.Publish(new Dictionary<string, object> { ["text"] = text }));
    }
}

/// <summary>A node type that cannot be deployed.</summary>
public abstract class UnfinishedNode : GeckoNode
{
    protected UnfinishedNode(NodeArguments args) : base(args) { }
}

/// <summary>Not a node at all.</summary>
public sealed class NotANode;
