namespace Gecko.Launch.Hosting;

/// <summary>
/// Where .NET runs the completions of asynchronous socket operations in this process. By default its event thread
/// hands each one to the thread pool; NetMQ's engine only queues them for its own I/O thread, so on the hub that is
/// one more thread to wake (and, on a busy machine, to wait for) per message in each direction. Run inline on the
/// event thread instead, a 64 B round trip through the hub at 1000/s measured p50 1.46× → 1.16× and p99 ~3× → 1.5×
/// zmq_proxy's (gecko bench rtt-rate, medians of six runs each, load 7–14 on 2 cores).
/// </summary>
/// <remarks>
/// Only for processes whose socket continuations never block: <c>gecko core</c> (NetMQ, the Unix socket relay and the
/// CURVE gate, all asynchronous). Not <c>gecko launch</c>, whose handlers of its children's output write to the
/// terminal and log files and would stall every socket while a write blocks.
/// </remarks>
internal static class SocketCompletions
{
    /// <summary>.NET reads this once, when the first asynchronous socket operation starts (its only switch).</summary>
    internal const string InlineVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Asks .NET to run socket completions inline, unless the environment already says otherwise (set it to 0 to
    /// keep the thread pool). Call before anything in the process uses a socket; processes started afterwards inherit
    /// the variable (gecko core starts none).
    /// </summary>
    public static void RunInline()
    {
        if (Environment.GetEnvironmentVariable(InlineVariable) is not null) return;
        Environment.SetEnvironmentVariable(InlineVariable, "1");
    }
}
