using System.Buffers;
using MessagePack;

namespace Gecko.Core.Wire;

/// <summary>
/// A node's registration on <c>core_info</c>: MessagePack <c>{"proc_info": [pid, name, alive]}</c> as pygecko writes it,
/// and, from Gecko nodes, optional keys pygecko's core ignores: <c>"host"</c> (the node's machine, so a node on another
/// host is not mistaken for a local pid) and <c>"publishes"</c> / <c>"subscribes"</c> (arrays of topics), which give the
/// hub the publisher and subscriber counts ZeroMQ cannot tell it, and <c>"dropped"</c> (a map of topic to the messages
/// the node's publisher socket dropped before they reached any hub), which the hub shows per topic.
/// </summary>
/// <param name="Pid">The node's operating-system process id.</param>
/// <param name="Name">The node's name as it gives it.</param>
/// <param name="Alive">False when the node says it is exiting.</param>
public sealed record ProcInfo(int Pid, string Name, bool Alive)
{
    /// <summary>The longest node name kept; a longer one is cut, so a hostile node cannot bloat the hub's tables.</summary>
    public const int MaxNameLength = 128;

    /// <summary>The longest host name kept.</summary>
    public const int MaxHostLength = 255;

    /// <summary>The most topics kept of each announced list; further ones are ignored.</summary>
    public const int MaxAnnouncedTopics = 256;

    /// <summary>The machine the node runs on; null when it did not say (pygecko nodes), which means the hub's.</summary>
    public string? Host { get; init; }

    /// <summary>Topics the node announced it publishes.</summary>
    public IReadOnlyList<string> Publishes { get; init; } = [];

    /// <summary>Topics the node announced it subscribes to.</summary>
    public IReadOnlyList<string> Subscribes { get; init; } = [];

    /// <summary>
    /// Whether the registration says which topics the node uses (Gecko nodes do, even when they use none); false for
    /// pygecko's registration, whose topics are unknown. Set by <see cref="TryDecode"/>; <see cref="Encode"/> writes the
    /// topic keys when this is true or a list is not empty.
    /// </summary>
    public bool AnnouncesTopics { get; init; }

    /// <summary>
    /// Messages the node's publisher dropped per topic since it started, before they reached any hub (ZeroMQ's PUB drops
    /// silently while no hub is connected or subscribed, and when its queue is full). Only topics with drops.
    /// </summary>
    public IReadOnlyDictionary<string, long> Dropped { get; init; } = NoDrops;

    // One instance for every registration without drops, so that registrations compare equal as records.
    private static readonly IReadOnlyDictionary<string, long> NoDrops = System.Collections.ObjectModel.ReadOnlyDictionary<string, long>.Empty;

    /// <summary>Encodes this registration as pygecko writes it, with the optional keys that are set.</summary>
    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        var announces = AnnouncesTopics || Publishes.Count > 0 || Subscribes.Count > 0;
        writer.WriteMapHeader(1 + (Host is null ? 0 : 1) + (announces ? 2 : 0) + (Dropped.Count > 0 ? 1 : 0));
        writer.Write("proc_info");
        writer.WriteArrayHeader(3);
        writer.Write(Pid);
        writer.Write(Name);
        writer.Write(Alive);
        if (Host is not null)
        {
            writer.Write("host");
            writer.Write(Host);
        }
        if (announces)
        {
            WriteTopics(ref writer, "publishes", Publishes);
            WriteTopics(ref writer, "subscribes", Subscribes);
        }
        if (Dropped.Count > 0)
        {
            writer.Write("dropped");
            writer.WriteMapHeader(Dropped.Count);
            foreach (var (topic, count) in Dropped)
            {
                writer.Write(topic);
                writer.Write(count);
            }
        }
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteTopics(ref MessagePackWriter writer, string key, IReadOnlyList<string> topics)
    {
        writer.Write(key);
        writer.WriteArrayHeader(topics.Count);
        foreach (var topic in topics) writer.Write(topic);
    }

    /// <summary>Reads a registration; false (never an exception) for anything else, as the payload comes from the network.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> payload, out ProcInfo? info)
    {
        info = null;
        try
        {
            var reader = new MessagePackReader(payload);
            if (reader.NextMessagePackType != MessagePackType.Map) return false;
            var entries = reader.ReadMapHeader();
            ProcInfo? found = null;
            string? host = null;
            IReadOnlyList<string> publishes = [], subscribes = [];
            var announces = false;
            var dropped = NoDrops;
            for (var i = 0; i < entries; i++)
            {
                var key = reader.NextMessagePackType == MessagePackType.String ? reader.ReadString() : null;
                if (key is null) SkipValue(ref reader);
                switch (key)
                {
                    case "proc_info":
                        if (!TryReadProcInfo(ref reader, out found)) return false;
                        break;
                    case "host" when reader.NextMessagePackType == MessagePackType.String:
                        host = Printable(reader.ReadString() ?? "", MaxHostLength);
                        break;
                    case "publishes" when reader.NextMessagePackType == MessagePackType.Array:
                        publishes = ReadTopics(ref reader);
                        announces = true;
                        break;
                    case "subscribes" when reader.NextMessagePackType == MessagePackType.Array:
                        subscribes = ReadTopics(ref reader);
                        announces = true;
                        break;
                    case "dropped" when reader.NextMessagePackType == MessagePackType.Map:
                        if (ReadCounts(ref reader) is { Count: > 0 } counts) dropped = counts;
                        break;
                    default:
                        SkipValue(ref reader);
                        break;
                }
            }
            if (found is null) return false;
            info = found with { Host = string.IsNullOrWhiteSpace(host) ? null : host, Publishes = publishes, Subscribes = subscribes, AnnouncesTopics = announces, Dropped = dropped };
            return true;
        }
        // The reader throws all of these on hostile input (a truncated value's skip, for one, throws
        // ArgumentOutOfRangeException); any of them escaping would end the bridge's poller thread.
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException
                                      or OverflowException or ArgumentException)
        {
            return false;
        }
    }

    private static bool TryReadProcInfo(ref MessagePackReader reader, out ProcInfo? info)
    {
        info = null;
        if (reader.NextMessagePackType != MessagePackType.Array) return false;
        var fields = reader.ReadArrayHeader();
        if (fields < 3) return false;
        if (reader.NextMessagePackType != MessagePackType.Integer) return false;
        var pid = reader.ReadInt64();
        if (reader.NextMessagePackType != MessagePackType.String) return false;
        var name = reader.ReadString() ?? "";
        var alive = reader.NextMessagePackType switch
        {
            MessagePackType.Boolean => reader.ReadBoolean(),
            MessagePackType.Integer => reader.ReadInt64() != 0,
            _ => (bool?)null,
        };
        if (alive is null || pid is <= 0 or > int.MaxValue) return false;
        for (var extra = 3; extra < fields; extra++) SkipValue(ref reader);
        if (name.Length > MaxNameLength) name = name[..MaxNameLength];
        info = new ProcInfo((int)pid, name, alive.Value);
        return true;
    }

    /// <summary>Up to <see cref="MaxAnnouncedTopics"/> valid topics with a count of 0 or more; anything else in the map is skipped.</summary>
    private static IReadOnlyDictionary<string, long> ReadCounts(ref MessagePackReader reader)
    {
        var entries = reader.ReadMapHeader();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < entries; i++)
        {
            string? topic = null;
            if (counts.Count < MaxAnnouncedTopics && reader.NextMessagePackType == MessagePackType.String)
            {
                if (reader.ReadStringSequence() is { Length: <= WireProtocol.MaxTopicBytes } sequence
                    && WireProtocol.TryDecodeTopic(sequence.IsSingleSegment ? sequence.FirstSpan : sequence.ToArray(), out var name))
                    topic = name;
            }
            else SkipValue(ref reader);
            if (reader.NextMessagePackType != MessagePackType.Integer)
            {
                SkipValue(ref reader);
                continue;
            }
            var count = reader.ReadInt64();
            if (topic is not null && count >= 0) counts[topic] = count;
        }
        return counts;
    }

    /// <summary>Up to <see cref="MaxAnnouncedTopics"/> valid, distinct topics; anything else in the array is skipped.</summary>
    private static IReadOnlyList<string> ReadTopics(ref MessagePackReader reader)
    {
        var count = reader.ReadArrayHeader();
        var topics = new List<string>();
        for (var i = 0; i < count; i++)
        {
            if (topics.Count >= MaxAnnouncedTopics || reader.NextMessagePackType != MessagePackType.String)
            {
                SkipValue(ref reader);
                continue;
            }
            if (reader.ReadStringSequence() is not { Length: <= WireProtocol.MaxTopicBytes } sequence) continue;
            var bytes = sequence.IsSingleSegment ? sequence.FirstSpan : sequence.ToArray();
            if (WireProtocol.TryDecodeTopic(bytes, out var topic) && !topics.Contains(topic)) topics.Add(topic);
        }
        return topics;
    }

    private static string Printable(string text, int maxLength)
    {
        if (text.Length > maxLength) text = text[..maxLength];
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = char.IsControl(source[i]) ? '?' : source[i];
        });
    }

    /// <summary>
    /// Skips one value of any shape with a counter instead of recursion, so how deep a hostile payload nests never
    /// matters to the stack of the thread reading network input, whatever the library's own skip does.
    /// Always returns false, so it can stand where a key was expected to match.
    /// </summary>
    private static bool SkipValue(ref MessagePackReader reader)
    {
        long pending = 1;
        while (pending > 0)
        {
            pending--;
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Array:
                    pending += reader.ReadArrayHeader();
                    break;
                case MessagePackType.Map:
                    pending += 2L * reader.ReadMapHeader();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return false;
    }
}
