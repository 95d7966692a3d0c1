namespace Gecko.Launch.Bench.Hubs;

/// <summary>The hubs a scenario is run against, side by side.</summary>
public enum HubKind
{
    /// <summary>GeckoCore, as <c>gecko core</c> runs it: counting every message per topic.</summary>
    Gecko,

    /// <summary>libzmq's <c>zmq_proxy</c> (C), run by Debian's python3-zmq.</summary>
    ZmqProxy,

    /// <summary>A bare NetMQ XSUB → XPUB loop on one thread, no counting, with NetMQ's tick counter fixed.</summary>
    NetMqLoop,

    /// <summary>The same loop with NetMQ as shipped: a poll() system call on every send and receive.</summary>
    NetMqLoopSlowClock,
}

/// <summary>Names of hubs in reports and on the command line.</summary>
public static class HubNames
{
    /// <summary>Every hub, in report order.</summary>
    public static readonly IReadOnlyList<HubKind> All = [HubKind.Gecko, HubKind.ZmqProxy, HubKind.NetMqLoop, HubKind.NetMqLoopSlowClock];

    /// <summary>The short name (<c>--hubs</c>, JSON).</summary>
    public static string Name(HubKind kind) => kind switch
    {
        HubKind.Gecko => "gecko",
        HubKind.ZmqProxy => "zmq_proxy",
        HubKind.NetMqLoop => "netmq-loop",
        _ => "netmq-loop-noclock",
    };

    /// <summary>Parses a short name.</summary>
    public static bool TryParse(string name, out HubKind kind)
    {
        foreach (var candidate in All)
        {
            if (!string.Equals(Name(candidate), name, StringComparison.OrdinalIgnoreCase)) continue;
            kind = candidate;
            return true;
        }
        kind = default;
        return false;
    }
}
