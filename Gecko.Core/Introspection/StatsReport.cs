using System.Buffers;
using System.Globalization;
using Gecko.Core.Cluster;
using Gecko.Core.Messages;
using Gecko.Core.Monitoring;
using Gecko.Core.Routing;
using MessagePack;

namespace Gecko.Core.Introspection;

/// <summary>
/// The hub's report as it travels on <see cref="ReservedTopics.Stats"/>: a MessagePack map with string keys, so any
/// language with ZeroMQ and MessagePack reads it (the README lists every key). Decoding treats the bytes as untrusted:
/// a missing or mistyped key is read as its default, anything that is not a version-1 report is refused.
/// </summary>
/// <param name="Hub">Which hub sent it.</param>
/// <param name="Stats">The snapshot.</param>
/// <param name="ReplyTo">The ids of the <see cref="StatsQuery"/>s this report answers; empty for a periodic one.</param>
public sealed record StatsReport(HubIdentity Hub, HubStats Stats, IReadOnlyList<string> ReplyTo)
{
    /// <summary>The format version written in <c>"version"</c>; a reader refuses other versions.</summary>
    public const int FormatVersion = 1;

    /// <summary>The wire name of each malformed reason (snake_case of <see cref="MalformedReason"/>).</summary>
    public static string ReasonName(MalformedReason reason) => reason switch
    {
        MalformedReason.WrongFrameCount => "wrong_frame_count",
        MalformedReason.BadTopic => "bad_topic",
        MalformedReason.PayloadTooLarge => "payload_too_large",
        MalformedReason.TooManyTopics => "too_many_topics",
        MalformedReason.BadRegistration => "bad_registration",
        MalformedReason.ReservedTopic => "reserved_topic",
        MalformedReason.BadQuery => "bad_query",
        _ => reason.ToString(),
    };

    /// <summary>The wire name of a node kind.</summary>
    public static string KindName(NodeKind kind) => kind switch
    {
        NodeKind.InProcess => "in-process",
        NodeKind.Remote => "remote",
        _ => "process",
    };

    /// <summary>Encodes the report.</summary>
    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        var writer = new MessagePackWriter(buffer);
        var stats = Stats;
        writer.WriteMapHeader(11);
        writer.Write("version");
        writer.Write(FormatVersion);
        writer.Write("time");
        writer.Write(stats.Timestamp.ToUnixTimeMilliseconds() / 1000.0);
        writer.Write("reply_to");
        writer.WriteArrayHeader(ReplyTo.Count);
        foreach (var id in ReplyTo) writer.Write(id);

        writer.Write("hub");
        writer.WriteMapHeader(12);
        Pair(ref writer, "pid", Hub.Pid);
        Pair(ref writer, "host", Hub.Host);
        Pair(ref writer, "key", Hub.Key);
        Pair(ref writer, "in", Hub.InAddress);
        Pair(ref writer, "out", Hub.OutAddress);
        Pair(ref writer, "version", Hub.Version);
        Pair(ref writer, "uptime", stats.Uptime.TotalSeconds);
        Pair(ref writer, "interval", stats.Interval.TotalSeconds);
        Pair(ref writer, "cpu", stats.Hub.CpuPercent);
        Pair(ref writer, "memory", stats.Hub.MemoryPercent);
        Pair(ref writer, "rss", stats.Hub.ResidentBytes);
        Pair(ref writer, "threads", stats.Hub.Threads);

        writer.Write("totals");
        writer.WriteMapHeader(6);
        Pair(ref writer, "messages", stats.TotalMessages);
        Pair(ref writer, "bytes", stats.TotalBytes);
        Pair(ref writer, "msgs_per_s", stats.MessagesPerSecond);
        Pair(ref writer, "bytes_per_s", stats.Topics.Sum(t => t.BytesPerSecond));
        Pair(ref writer, "dropped", stats.TotalDropped);
        Pair(ref writer, "drops_counted", stats.DropsCounted);

        writer.Write("malformed");
        writer.WriteMapHeader(stats.Malformed.Count);
        foreach (var (reason, count) in stats.Malformed.OrderBy(m => m.Key)) Pair(ref writer, ReasonName(reason), count);

        writer.Write("topics");
        WriteTopics(ref writer, stats.Topics);
        writer.Write("reserved");
        WriteTopics(ref writer, stats.Reserved);

        writer.Write("nodes");
        writer.WriteArrayHeader(stats.Nodes.Count);
        foreach (var node in stats.Nodes)
        {
            writer.WriteMapHeader(11);
            Pair(ref writer, "name", node.Name);
            Pair(ref writer, "pid", node.Pid);
            Pair(ref writer, "host", node.Host);
            Pair(ref writer, "kind", KindName(node.Kind));
            writer.Write("cpu");
            if (node.Usage is { } usage) writer.Write(usage.CpuPercent); else writer.WriteNil();
            writer.Write("memory");
            if (node.Usage is { } memory) writer.Write(memory.MemoryPercent); else writer.WriteNil();
            writer.Write("rss");
            if (node.Usage is { } rss) writer.Write(rss.ResidentBytes); else writer.WriteNil();
            writer.Write("threads");
            if (node.Usage is { } threads) writer.Write(threads.Threads); else writer.WriteNil();
            Strings(ref writer, "publishes", node.Publishes);
            Strings(ref writer, "subscribes", node.Subscribes);
            Pair(ref writer, "topics_known", node.TopicsKnown);
        }

        writer.Write("connections");
        writer.WriteArrayHeader(stats.Connections.Count);
        foreach (var connection in stats.Connections)
        {
            writer.WriteMapHeader(3);
            Pair(ref writer, "state", connection.State == TcpState.Listen ? "listen" : "established");
            Pair(ref writer, "local", connection.Local.ToString());
            writer.Write("remote");
            if (connection.Remote is { } remote) writer.Write(remote.ToString()); else writer.WriteNil();
        }
        writer.Write("cluster");
        if (stats.Cluster is { } cluster) WriteCluster(ref writer, cluster);
        else writer.WriteNil();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteCluster(ref MessagePackWriter writer, ClusterState cluster)
    {
        writer.WriteMapHeader(3);
        Pair(ref writer, "self", cluster.SelfAddress);
        Strings(ref writer, "roles", cluster.Roles);
        writer.Write("members");
        writer.WriteArrayHeader(cluster.Members.Count);
        foreach (var member in cluster.Members)
        {
            writer.WriteMapHeader(11);
            Pair(ref writer, "address", member.Address);
            Strings(ref writer, "roles", member.Roles);
            Pair(ref writer, "status", member.Status);
            Pair(ref writer, "reachable", member.Reachable);
            Pair(ref writer, "self", member.IsSelf);
            Pair(ref writer, "interest_topics", member.InterestTopics);
            Pair(ref writer, "interest_prefixes", member.InterestPrefixes);
            Pair(ref writer, "sent", member.SentMessages);
            Pair(ref writer, "sent_bytes", member.SentBytes);
            Pair(ref writer, "dropped", member.Dropped);
            Pair(ref writer, "received", member.ReceivedMessages);
        }
    }

    private static void WriteTopics(ref MessagePackWriter writer, IReadOnlyList<TopicStats> topics)
    {
        writer.WriteArrayHeader(topics.Count);
        foreach (var topic in topics)
        {
            writer.WriteMapHeader(14);
            Pair(ref writer, "topic", topic.Topic);
            Pair(ref writer, "messages", topic.Messages);
            Pair(ref writer, "bytes", topic.Bytes);
            Pair(ref writer, "msgs_per_s", topic.MessagesPerSecond);
            Pair(ref writer, "bytes_per_s", topic.BytesPerSecond);
            Pair(ref writer, "publishers", topic.Publishers.Known);
            Pair(ref writer, "publishers_exact", topic.Publishers.Exact);
            Pair(ref writer, "subscribers", topic.Subscribers.Known);
            Pair(ref writer, "subscribers_exact", topic.Subscribers.Exact);
            Pair(ref writer, "local_subscribers", topic.LocalSubscribers);
            Pair(ref writer, "external_subscribers", topic.ExternalSubscribers);
            Pair(ref writer, "dropped", topic.Dropped);
            Pair(ref writer, "publisher_dropped", topic.PublisherDropped);
            writer.Write("cluster");
            writer.WriteMapHeader(6);
            Pair(ref writer, "messages_in", topic.Cluster.MessagesIn);
            Pair(ref writer, "bytes_in", topic.Cluster.BytesIn);
            Pair(ref writer, "in_per_s", topic.Cluster.InPerSecond);
            Pair(ref writer, "messages_out", topic.Cluster.MessagesOut);
            Pair(ref writer, "bytes_out", topic.Cluster.BytesOut);
            Pair(ref writer, "out_per_s", topic.Cluster.OutPerSecond);
        }
    }

    private static void Pair(ref MessagePackWriter writer, string key, string value)
    {
        writer.Write(key);
        writer.Write(value);
    }

    private static void Pair(ref MessagePackWriter writer, string key, long value)
    {
        writer.Write(key);
        writer.Write(value);
    }

    private static void Pair(ref MessagePackWriter writer, string key, double value)
    {
        writer.Write(key);
        writer.Write(value);
    }

    private static void Pair(ref MessagePackWriter writer, string key, bool value)
    {
        writer.Write(key);
        writer.Write(value);
    }

    private static void Strings(ref MessagePackWriter writer, string key, IReadOnlyList<string> values)
    {
        writer.Write(key);
        writer.WriteArrayHeader(values.Count);
        foreach (var value in values) writer.Write(value);
    }

    /// <summary>Reads a report; false (never an exception) for anything that is not a version-1 report.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> payload, out StatsReport? report)
    {
        report = null;
        object? root;
        try
        {
            root = MessagePackSerializer.Deserialize<object>(payload, GeckoSerializer.Options);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException
                                      or OverflowException or ArgumentException)
        {
            return false;
        }
        if (root is not IDictionary<object, object> map || Long(map, "version") != FormatVersion) return false;

        var hubMap = Map(map, "hub");
        var hub = new HubIdentity((int)Long(hubMap, "pid"), Text(hubMap, "host"), Text(hubMap, "key"),
            Text(hubMap, "in"), Text(hubMap, "out"), Text(hubMap, "version"));
        var hubUsage = new ProcessUsage(Double(hubMap, "cpu"), Double(hubMap, "memory"), Long(hubMap, "rss"), (int)Long(hubMap, "threads"));

        var malformed = new Dictionary<MalformedReason, long>();
        var malformedMap = Map(map, "malformed");
        foreach (var reason in Enum.GetValues<MalformedReason>()) malformed[reason] = Long(malformedMap, ReasonName(reason));

        var nodes = new List<NodeStats>();
        foreach (var item in List(map, "nodes"))
        {
            if (item is not IDictionary<object, object> node) continue;
            var kind = Text(node, "kind") switch { "in-process" => NodeKind.InProcess, "remote" => NodeKind.Remote, _ => NodeKind.Process };
            var usage = node.TryGetValue("cpu", out var cpu) && cpu is not null
                ? new ProcessUsage(Double(node, "cpu"), Double(node, "memory"), Long(node, "rss"), (int)Long(node, "threads"))
                : null;
            nodes.Add(new NodeStats(Text(node, "name"), (int)Long(node, "pid"), Text(node, "host"), kind, usage,
                Strings(node, "publishes"), Strings(node, "subscribes")) { TopicsKnown = Bool(node, "topics_known") });
        }

        var connections = new List<TcpConnection>();
        foreach (var item in List(map, "connections"))
        {
            if (item is not IDictionary<object, object> connection || ParseEndpoint(Text(connection, "local")) is not { } local) continue;
            var state = Text(connection, "state") == "listen" ? TcpState.Listen : TcpState.Established;
            connections.Add(new TcpConnection(state, local, ParseEndpoint(Text(connection, "remote"))));
        }

        var totals = Map(map, "totals");
        var time = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Clamp(Double(map, "time") * 1000, 0, 253402300799000));
        var stats = new HubStats(time, Seconds(hubMap, "uptime"), Long(totals, "messages"), Long(totals, "bytes"), Double(totals, "msgs_per_s"),
            malformed, Topics(map, "topics"),
            nodes.Where(n => n.Kind == NodeKind.Process && n.Usage is not null).Select(n => new MonitoredProcess(n.Pid, n.Name, n.Usage!)).ToArray(),
            hubUsage, connections)
        {
            Interval = Seconds(hubMap, "interval"),
            Nodes = nodes,
            Reserved = Topics(map, "reserved"),
            TotalDropped = Long(totals, "dropped"),
            // A report without the key comes from a hub that did not count drops.
            DropsCounted = Bool(totals, "drops_counted"),
            Cluster = ClusterOf(map),
        };
        report = new StatsReport(hub, stats, Strings(map, "reply_to"));
        return true;
    }

    private static List<TopicStats> Topics(IDictionary<object, object> map, string key)
    {
        var topics = new List<TopicStats>();
        foreach (var item in List(map, key))
        {
            if (item is not IDictionary<object, object> topic || Text(topic, "topic") is not { Length: > 0 } name) continue;
            topics.Add(new TopicStats(name, Long(topic, "messages"), Long(topic, "bytes"), Double(topic, "msgs_per_s"), Double(topic, "bytes_per_s"),
                (int)Long(topic, "local_subscribers"), Bool(topic, "external_subscribers"))
            {
                Publishers = new ParticipantCount((int)Long(topic, "publishers"), Bool(topic, "publishers_exact")),
                Subscribers = new ParticipantCount((int)Long(topic, "subscribers"), Bool(topic, "subscribers_exact")),
                Dropped = Long(topic, "dropped"),
                PublisherDropped = Long(topic, "publisher_dropped"),
                Cluster = Map(topic, "cluster") is { Count: > 0 } cluster
                    ? new ClusterTraffic(Long(cluster, "messages_in"), Long(cluster, "bytes_in"), Double(cluster, "in_per_s"),
                        Long(cluster, "messages_out"), Long(cluster, "bytes_out"), Double(cluster, "out_per_s"))
                    : ClusterTraffic.None,
            });
        }
        return topics;
    }

    /// <summary>The cluster as the report has it; null for a hub that is not a cluster host.</summary>
    private static ClusterState? ClusterOf(IDictionary<object, object> map)
    {
        if (!map.TryGetValue("cluster", out var value) || value is not IDictionary<object, object> cluster) return null;
        var members = new List<ClusterMemberState>();
        foreach (var item in List(cluster, "members"))
        {
            if (item is not IDictionary<object, object> member) continue;
            members.Add(new ClusterMemberState(Text(member, "address"), Strings(member, "roles"), Text(member, "status"), Bool(member, "reachable"),
                Bool(member, "self"), (int)Long(member, "interest_topics"), (int)Long(member, "interest_prefixes"), Long(member, "sent"),
                Long(member, "sent_bytes"), Long(member, "dropped"), Long(member, "received")));
        }
        return new ClusterState(Text(cluster, "self"), Strings(cluster, "roles"), members);
    }

    private static readonly IDictionary<object, object> Empty = new Dictionary<object, object>();

    private static IDictionary<object, object> Map(IDictionary<object, object> map, string key) =>
        map.TryGetValue(key, out var value) && value is IDictionary<object, object> inner ? inner : Empty;

    private static object[] List(IDictionary<object, object> map, string key) =>
        map.TryGetValue(key, out var value) && value is object[] list ? list : [];

    private static string Text(IDictionary<object, object> map, string key) =>
        map.TryGetValue(key, out var value) && value is string text ? text : "";

    private static bool Bool(IDictionary<object, object> map, string key) =>
        map.TryGetValue(key, out var value) && value is true;

    private static long Long(IDictionary<object, object> map, string key)
    {
        if (!map.TryGetValue(key, out var value)) return 0;
        return value switch
        {
            byte or sbyte or short or ushort or int or uint or long => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            ulong big => big > long.MaxValue ? long.MaxValue : (long)big,
            _ => 0,
        };
    }

    private static double Double(IDictionary<object, object> map, string key)
    {
        if (!map.TryGetValue(key, out var value)) return 0;
        var number = value switch
        {
            double d => d,
            float f => f,
            byte or sbyte or short or ushort or int or uint or long or ulong => Convert.ToDouble(value, CultureInfo.InvariantCulture),
            _ => 0,
        };
        return double.IsFinite(number) ? number : 0;
    }

    private static TimeSpan Seconds(IDictionary<object, object> map, string key) =>
        TimeSpan.FromSeconds(Math.Clamp(Double(map, key), 0, TimeSpan.MaxValue.TotalSeconds / 2));

    private static IReadOnlyList<string> Strings(IDictionary<object, object> map, string key) =>
        List(map, key).OfType<string>().ToArray();

    private static TcpEndpoint? ParseEndpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)) return null;
        return new TcpEndpoint(text[..colon].Trim('[', ']'), port);
    }
}
