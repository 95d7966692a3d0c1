using Gecko.Actors.Nodes;
using Gecko.Core.Messages;

namespace Gecko.Launch.TestNodes;

/// <summary>Publishes Vector(n, 0, 0) with n counting up from 0, <c>batch</c> messages <c>hz</c> times a second, forever.</summary>
public sealed class Counter : GeckoNode
{
    public Counter(NodeArguments args) : base(args)
    {
        var publisher = Publisher<Vector>(Args.Get("topic", "count"));
        var batch = Args.Get("batch", 10);
        var next = 0L;
        Every(Args.Get("hz", 100.0), () =>
        {
            for (var i = 0; i < batch; i++) publisher.Publish(new Vector(next++, 0, 0));
        });
    }
}

/// <summary>Republishes every Vector it receives on <c>from</c> on <c>to</c>, in the order it received them.</summary>
public sealed class Relay : GeckoNode
{
    public Relay(NodeArguments args) : base(args)
    {
        var publisher = Publisher<Vector>(Args.Get("to", "relayed"));
        Subscribe<Vector>(Args.Get("from", "count"), publisher.Publish);
    }
}

/// <summary>Says where it runs: <c>{"node": name, "pid": process id}</c> on its topic ten times a second.</summary>
public sealed class PidAnnouncer : GeckoNode
{
    public PidAnnouncer(NodeArguments args) : base(args)
    {
        var publisher = Publisher<Dictionary<string, object>>(Args.Get("topic", "where"));
        Every(10, () => publisher.Publish(new Dictionary<string, object> { ["node"] = Name, ["pid"] = Environment.ProcessId }));
    }
}
