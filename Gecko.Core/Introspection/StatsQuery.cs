using System.Buffers;
using MessagePack;

namespace Gecko.Core.Introspection;

/// <summary>
/// A request for a fresh report, published on <see cref="ReservedTopics.Query"/>: MessagePack
/// <c>{"query": "stats", "id": "&lt;1–64 printable ASCII characters&gt;"}</c>. The hub answers with a report on
/// <see cref="ReservedTopics.Stats"/> whose <c>reply_to</c> holds the id. Since the answer can only come after the
/// request went through the asker's own connection to the hub, it also proves that connection is up.
/// </summary>
/// <param name="Id">Chosen by the asker to recognise its answer.</param>
public sealed record StatsQuery(string Id)
{
    /// <summary>The longest id.</summary>
    public const int MaxIdLength = 64;

    /// <summary>The largest query payload the hub reads; anything larger is malformed.</summary>
    public const int MaxPayloadSize = 256;

    /// <summary>The id, checked.</summary>
    public string Id { get; } = IsValidId(Id) ? Id : throw new ArgumentException(
        $"A query id is 1–{MaxIdLength} printable ASCII characters, not '{Id}'.", nameof(Id));

    /// <summary>A query with a fresh random id.</summary>
    public static StatsQuery CreateUnique() => new(Guid.NewGuid().ToString("N"));

    /// <summary>The wire payload.</summary>
    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(2);
        writer.Write("query");
        writer.Write("stats");
        writer.Write("id");
        writer.Write(Id);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a query from the network; false (never an exception) for anything else.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, out StatsQuery? query)
    {
        query = null;
        if (payload.Length is 0 or > MaxPayloadSize) return false;
        try
        {
            var reader = new MessagePackReader(payload.ToArray());
            if (reader.NextMessagePackType != MessagePackType.Map) return false;
            var entries = reader.ReadMapHeader();
            if (entries > 8) return false;
            string? kind = null, id = null;
            for (var i = 0; i < entries; i++)
            {
                if (reader.NextMessagePackType != MessagePackType.String) return false;
                var key = reader.ReadString();
                if (reader.NextMessagePackType != MessagePackType.String)
                {
                    // Only strings are expected; the payload is small, so skipping cannot go deep.
                    reader.Skip();
                    continue;
                }
                var value = reader.ReadString();
                if (key == "query") kind = value;
                else if (key == "id") id = value;
            }
            if (!reader.End || kind != "stats" || id is null || !IsValidId(id)) return false;
            query = new StatsQuery(id);
            return true;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException
                                      or OverflowException or ArgumentException)
        {
            return false;
        }
    }

    private static bool IsValidId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength) return false;
        foreach (var c in id)
            if (c is < '!' or > '~') return false;
        return true;
    }
}
