using System.Collections;
using System.Reflection;
using NetMQ;

namespace Gecko.Core.Bridge.Internal;

/// <summary>
/// Keeps NetMQ's pipes from taking a queue of ~1000 messages for a full one when the high-water mark is 100 000.
/// </summary>
/// <remarks>
/// A pipe's reader tells its writer how far it has read only every low-water mark's worth of messages, and the writer
/// takes the queue for full once it is a high-water mark ahead of the last count it heard. NetMQ sets the low-water
/// mark to the high-water mark less 1024 (a formula libzmq left behind in 4.0, which uses half), so just before each
/// count the writer sees a full queue when only ~1025 messages wait: the hub's XPUB then drops messages of a subscriber
/// that is barely behind, and its XSUB stops reading a publisher. Measured with gecko bench (64 B, 20 000 messages in
/// flight, high-water mark 100 000): ~5 % of a flood lost through a NetMQ hub, none through libzmq's zmq_proxy.
/// <para/>
/// The fix raises the writer's limit by half the high-water mark, so that at least half of it can always wait (as
/// with libzmq) and at most one and a half times it. Only raising the writer's limit is safe while traffic flows: the
/// reader's counts keep coming at the same points, so the writer can never wait for a count that will not come.
/// NetMQ's internals are not public API, so they are looked up defensively; any mismatch leaves NetMQ as shipped.
/// </remarks>
internal static class NetMqWatermarks
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;

    /// <summary>NetMQ's <c>Config.MaxWatermarkDelta</c>: its low-water mark is the high-water mark less this.</summary>
    private const int NetMqWatermarkDelta = 1024;

    private static readonly FieldInfo? SocketHandle = typeof(NetMQSocket).GetField("m_socketHandle", Instance);
    private static readonly FieldInfo? Pipes = SocketHandle?.FieldType.GetField("m_pipes", Instance);
    private static readonly Type? PipeType = typeof(NetMQSocket).Assembly.GetType("NetMQ.Core.Pipe");
    private static readonly FieldInfo? Peer = PipeType?.GetField("m_peer", Instance);
    private static readonly FieldInfo? LowWatermark = PipeType?.GetField("m_lowWatermark", Instance);
    private static readonly FieldInfo? HighWatermark = PipeType?.GetField("m_highWatermark", Instance);
    private static volatile bool _broken;

    /// <summary>Whether NetMQ's internals look as expected.</summary>
    public static bool IsSupported =>
        !_broken && Pipes is not null && Peer?.FieldType == PipeType && LowWatermark?.FieldType == typeof(int) && HighWatermark?.FieldType == typeof(int);

    /// <summary>
    /// Raises the writer's limit on both ends of every pipe of <paramref name="socket"/> where NetMQ's low-water mark
    /// would make it stop ~1000 messages short; returns how many ends changed. Call it on the thread that owns the
    /// socket (it reads the socket's pipe list); a pipe already raised is left alone.
    /// </summary>
    public static int Relax(NetMQSocket socket)
    {
        if (!IsSupported) return 0;
        try
        {
            var handle = SocketHandle!.GetValue(socket);
            if (handle is null || Pipes!.GetValue(handle) is not IEnumerable pipes) return 0;
            var changed = 0;
            foreach (var pipe in pipes) changed += RelaxWriter(pipe) + RelaxWriter(Peer!.GetValue(pipe));
            return changed;
        }
        catch (Exception e) when (e is InvalidOperationException or TargetException or FieldAccessException or ArgumentException)
        {
            _broken = true;
            return 0;
        }
    }

    /// <summary>The writer's limit for a pipe whose configured high-water mark is <paramref name="highWatermark"/>.</summary>
    public static int Relaxed(int highWatermark) =>
        highWatermark > 2 * NetMqWatermarkDelta ? highWatermark - NetMqWatermarkDelta + (highWatermark + 1) / 2 : highWatermark;

    /// <summary>The writer's limit of each end of each pipe of <paramref name="socket"/> (for tests).</summary>
    public static IReadOnlyList<int> WriterLimits(NetMQSocket socket)
    {
        var result = new List<int>();
        if (!IsSupported || SocketHandle!.GetValue(socket) is not { } handle || Pipes!.GetValue(handle) is not IEnumerable pipes) return result;
        foreach (var pipe in pipes)
        {
            result.Add((int)HighWatermark!.GetValue(pipe)!);
            if (Peer!.GetValue(pipe) is { } peer) result.Add((int)HighWatermark.GetValue(peer)!);
        }
        return result;
    }

    private static int RelaxWriter(object? end)
    {
        if (end is null || Peer!.GetValue(end) is not { } reader) return 0;
        var limit = (int)HighWatermark!.GetValue(end)!;
        // Only where NetMQ's own formula made the reader's low-water mark: then it has not been raised yet.
        if (limit <= 2 * NetMqWatermarkDelta || (int)LowWatermark!.GetValue(reader)! != limit - NetMqWatermarkDelta) return 0;
        HighWatermark.SetValue(end, Relaxed(limit));
        return 1;
    }
}
