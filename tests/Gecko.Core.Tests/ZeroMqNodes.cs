using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace Gecko.Core.Tests;

/// <summary>One message as a test's subscriber received it.</summary>
public sealed record Received(string Topic, byte[] Payload)
{
    public bool IsControl => Topic.StartsWith(ZeroMqNodes.ControlPrefix, StringComparison.Ordinal);
}

/// <summary>
/// External ZeroMQ nodes for tests: publishers and subscribers that lose nothing on their side (no high-water mark),
/// and a handshake that replaces "sleep until connected": publish probes until every subscriber has seen one.
/// </summary>
/// <remarks>Control messages travel on topics under <see cref="ControlPrefix"/>; every test subscriber subscribes to it.</remarks>
public static class ZeroMqNodes
{
    public const string ControlPrefix = "ctl/";

    public static PublisherSocket Publisher(string address)
    {
        var pub = new PublisherSocket();
        pub.Options.SendHighWatermark = 0; // no limit: a publisher that gets ahead of the hub queues instead of dropping
        pub.Options.Linger = TimeSpan.FromSeconds(2);
        pub.Connect(address);
        return pub;
    }

    /// <summary>A subscriber of <paramref name="prefixes"/> and of the control topics (subscribed after them).</summary>
    public static SubscriberSocket Subscriber(string address, params string[] prefixes)
    {
        var sub = new SubscriberSocket();
        sub.Options.ReceiveHighWatermark = 0;
        sub.Options.Linger = TimeSpan.Zero;
        foreach (var prefix in prefixes) sub.Subscribe(prefix);
        // Subscriptions reach the hub in order: once a control probe arrives, every prefix above is in place.
        sub.Subscribe(ControlPrefix);
        sub.Connect(address);
        return sub;
    }

    public static void Send(this PublisherSocket pub, string topic, byte[] payload) =>
        pub.SendMoreFrame(topic).SendFrame(payload);

    public static Received? TryReceive(this SubscriberSocket sub, TimeSpan timeout)
    {
        var frames = new List<byte[]>(2);
        if (!sub.TryReceiveMultipartBytes(timeout, ref frames, 2)) return null;
        if (frames.Count != 2) throw new InvalidOperationException($"The hub forwarded a {frames.Count}-frame message; it must forward exactly two.");
        return new Received(Encoding.UTF8.GetString(frames[0]), frames[1]);
    }

    /// <summary>
    /// Publishes a probe from each publisher, over and over, until every subscriber has received one from each:
    /// then every publisher is connected to the hub and every subscriber's subscriptions are in place.
    /// Bounded by <paramref name="timeout"/>.
    /// </summary>
    public static void Handshake(IReadOnlyList<PublisherSocket> publishers, IReadOnlyList<SubscriberSocket> subscribers, TimeSpan timeout)
    {
        // Probes of this handshake only: one left over from an earlier handshake (still queued at a subscriber)
        // proves nothing about the connections now, e.g. after the hub restarted.
        var round = $"{ControlPrefix}probe/{Interlocked.Increment(ref _handshakes)}/";
        var seen = new bool[subscribers.Count, publishers.Count];
        var missing = subscribers.Count * publishers.Count;
        var deadline = DateTime.UtcNow + timeout;
        while (missing > 0)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Handshake: {missing} publisher/subscriber pairs never saw a probe within {timeout.TotalSeconds} s.");
            for (var p = 0; p < publishers.Count; p++) publishers[p].Send(round + p, []);
            for (var s = 0; s < subscribers.Count; s++)
            {
                while (subscribers[s].TryReceive(TimeSpan.FromMilliseconds(10)) is { } message)
                {
                    if (!message.IsControl)
                        throw new InvalidOperationException($"Unexpected message on {message.Topic} during the handshake.");
                    if (!message.Topic.StartsWith(round, StringComparison.Ordinal)) continue;
                    var p = int.Parse(message.Topic.AsSpan(round.Length));
                    if (!seen[s, p]) missing--;
                    seen[s, p] = true;
                }
            }
        }
    }

    private static int _handshakes;

    public static void Handshake(PublisherSocket publisher, SubscriberSocket subscriber, TimeSpan timeout) =>
        Handshake([publisher], [subscriber], timeout);

    public static string ProbeTopic(int publisher) => $"{ControlPrefix}probe/{publisher}";

    public static string EndTopic(int publisher) => $"{ControlPrefix}end/{publisher}";

    /// <summary>
    /// Receives until the end markers of <paramref name="publishers"/> publishers have arrived (each publisher sends its
    /// end marker after its data, and the hub keeps each publisher's order), skipping probes. Bounded by <paramref name="timeout"/>.
    /// </summary>
    public static List<Received> ReceiveUntilEnd(this SubscriberSocket sub, int publishers, TimeSpan timeout)
    {
        var data = new List<Received>();
        var ends = new HashSet<string>();
        var deadline = DateTime.UtcNow + timeout;
        while (ends.Count < publishers)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Received {data.Count} messages and {ends.Count} of {publishers} end markers within {timeout.TotalSeconds} s.");
            if (sub.TryReceive(TimeSpan.FromMilliseconds(100)) is not { } message) continue;
            if (message.Topic.StartsWith(ControlPrefix + "end/", StringComparison.Ordinal)) ends.Add(message.Topic);
            else if (!message.IsControl) data.Add(message);
        }
        return data;
    }
}
