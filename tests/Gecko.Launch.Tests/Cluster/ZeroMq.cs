using System.Buffers.Binary;
using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace Gecko.Launch.Tests.Cluster;

/// <summary>External ZeroMQ nodes for the cluster tests: lossless sockets, probes instead of sleeps, numbered payloads.</summary>
internal static class ZeroMq
{
    public static PublisherSocket Publisher(string address)
    {
        var pub = new PublisherSocket();
        pub.Options.SendHighWatermark = 0;
        pub.Options.Linger = TimeSpan.FromSeconds(2);
        pub.Connect(address);
        return pub;
    }

    public static SubscriberSocket Subscriber(string address, params string[] prefixes)
    {
        var sub = new SubscriberSocket();
        sub.Options.ReceiveHighWatermark = 0;
        sub.Options.Linger = TimeSpan.Zero;
        foreach (var prefix in prefixes) sub.Subscribe(prefix);
        sub.Connect(address);
        return sub;
    }

    public static byte[] Numbered(long n)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(payload, n);
        return payload;
    }

    public static long Number(byte[] payload) => BinaryPrimitives.ReadInt64LittleEndian(payload);

    public static (string Topic, byte[] Payload)? TryReceive(this SubscriberSocket sub, TimeSpan timeout)
    {
        var frames = new List<byte[]>(2);
        if (!sub.TryReceiveMultipartBytes(timeout, ref frames, 2)) return null;
        if (frames.Count != 2) throw new InvalidOperationException($"A {frames.Count}-frame message arrived; the hub forwards exactly two.");
        return (Encoding.UTF8.GetString(frames[0]), frames[1]);
    }

    /// <summary>
    /// Publishes probes on <paramref name="probeTopic"/> until every subscriber got one: the publisher is connected and
    /// every subscriber's interest has reached the publisher's host. Then drains what is left of the probes.
    /// </summary>
    public static void Handshake(PublisherSocket publisher, string probeTopic, TimeSpan timeout, params SubscriberSocket[] subscribers)
    {
        var seen = new bool[subscribers.Length];
        var deadline = DateTime.UtcNow + timeout;
        var marker = Guid.NewGuid().ToByteArray();
        while (seen.Any(s => !s))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No probe on {probeTopic} reached {seen.Count(s => !s)} subscriber(s) within {timeout}.");
            publisher.SendMoreFrame(probeTopic).SendFrame(marker);
            for (var i = 0; i < subscribers.Length; i++)
            {
                while (subscribers[i].TryReceive(TimeSpan.FromMilliseconds(20)) is { } message)
                {
                    if (message.Topic == probeTopic && message.Payload.AsSpan().SequenceEqual(marker)) seen[i] = true;
                }
            }
        }
    }

    /// <summary>Receives messages on <paramref name="topic"/> until the one numbered <paramref name="last"/>, skipping others; bounded by <paramref name="timeout"/>.</summary>
    public static List<long> ReceiveNumbersUntil(this SubscriberSocket sub, string topic, long last, TimeSpan timeout)
    {
        var numbers = new List<long>();
        var deadline = DateTime.UtcNow + timeout;
        while (numbers.Count == 0 || numbers[^1] != last)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Received {numbers.Count} numbers on {topic} (last {(numbers.Count > 0 ? numbers[^1] : -1)}), not up to {last}, within {timeout}.");
            if (sub.TryReceive(TimeSpan.FromMilliseconds(100)) is not { } message || message.Topic != topic) continue;
            numbers.Add(Number(message.Payload));
        }
        return numbers;
    }

    public static void SendNumbers(this PublisherSocket publisher, string topic, long from, int count)
    {
        for (var i = 0; i < count; i++) publisher.SendMoreFrame(topic).SendFrame(Numbered(from + i));
    }
}
