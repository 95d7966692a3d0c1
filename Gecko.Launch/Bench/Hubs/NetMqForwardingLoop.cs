using Gecko.Core.Bridge.Internal;
using NetMQ;
using NetMQ.Sockets;

namespace Gecko.Launch.Bench.Hubs;

/// <summary>
/// The baseline a hand-written NetMQ hub would be: XSUB in, XPUB out, one thread moving frames from one to the other,
/// no counting, no checks. Gecko's bridge must stay close to this while counting every message.
/// </summary>
internal static class NetMqForwardingLoop
{
    private const int Batch = 512;

    /// <summary>Binds, prints the ready line, forwards until <paramref name="token"/> fires; returns the exit code.</summary>
    public static int Run(bool fastClock, int receiveHighWaterMark, int sendHighWaterMark, TextWriter output, CancellationToken token)
    {
        if (fastClock) NetMqFastClock.TryEnable();
        using var inbound = new XSubscriberSocket();
        using var outbound = new XPublisherSocket();
        inbound.Options.Linger = TimeSpan.Zero;
        outbound.Options.Linger = TimeSpan.Zero;
        inbound.Options.ReceiveHighWatermark = receiveHighWaterMark;
        outbound.Options.SendHighWatermark = sendHighWaterMark;
        var inPort = inbound.BindRandomPort("tcp://127.0.0.1");
        var outPort = outbound.BindRandomPort("tcp://127.0.0.1");
        inbound.SendFrame([1]); // everything upstream, as the hub does

        output.WriteLine($"netmq-loop ready: in tcp://127.0.0.1:{inPort}  out tcp://127.0.0.1:{outPort}  (clock {(NetMqFastClock.IsActive ? "fast" : "as shipped")}; pid {Environment.ProcessId})");
        output.Flush();

        var frame = new Msg();
        frame.InitEmpty();
        try
        {
            while (!token.IsCancellationRequested)
            {
                // Block briefly for the first message, then take a batch without waiting.
                if (!inbound.TryReceive(ref frame, TimeSpan.FromMilliseconds(100)))
                {
                    DrainSubscriptions(outbound, ref frame);
                    continue;
                }
                ForwardRest(inbound, outbound, ref frame);
                for (var i = 1; i < Batch && inbound.TryReceive(ref frame, TimeSpan.Zero); i++) ForwardRest(inbound, outbound, ref frame);
                DrainSubscriptions(outbound, ref frame);
            }
        }
        finally
        {
            frame.Close();
        }
        return 0;
    }

    /// <summary>Sends <paramref name="frame"/> and the rest of its message out.</summary>
    private static void ForwardRest(XSubscriberSocket inbound, XPublisherSocket outbound, ref Msg frame)
    {
        while (true)
        {
            var more = frame.HasMore;
            // XPUB does not block: at a subscriber's high-water mark it drops for that subscriber, as zmq_proxy's does.
            if (!outbound.TrySend(ref frame, TimeSpan.Zero, more))
            {
                frame.Close();
                frame.InitEmpty();
            }
            if (!more) return;
            inbound.Receive(ref frame);
        }
    }

    /// <summary>XPUB queues every (un)subscription for its owner; read them so they do not pile up.</summary>
    private static void DrainSubscriptions(XPublisherSocket outbound, ref Msg frame)
    {
        while (outbound.TryReceive(ref frame, TimeSpan.Zero)) { }
    }
}
