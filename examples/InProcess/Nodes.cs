using Gecko.Actors.Nodes;
using Gecko.Core.Messages;

namespace Gecko.Examples.InProcess;

/// <summary>Publishes a twist on <c>cmd</c> at a fixed rate.</summary>
public sealed class Talker : GeckoNode
{
    /// <summary>Creates the talker; argument <c>hz</c> sets its rate (default 2).</summary>
    public Talker(NodeArguments args) : base(args)
    {
        var cmd = Publisher<Twist>("cmd");
        var n = 0;
        Every(Args.Get("hz", 2.0), () =>
        {
            n++;
            cmd.Publish(new Twist(new Vector(0.1 * n, 0, 0), new Vector(0, 0, 0.2)));
        });
        OnShutdown(() => Console.WriteLine("talker: bye"));
    }
}

/// <summary>Logs every twist it hears on <c>cmd</c>.</summary>
public sealed class Listener : GeckoNode
{
    /// <summary>Creates the listener.</summary>
    public Listener() =>
        Subscribe<Twist>("cmd", twist => Log.Info($"heard linear x = {twist.Linear.X:0.0}"));
}
