using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gecko.Core.Messages;
using MessagePack;

namespace Gecko.Launch.Tools;

/// <summary>A payload made readable: the standard message it holds (or null), and its value as JSON.</summary>
/// <param name="Type">The standard message's name (<c>twist</c>), <c>ext(N)</c> for an unknown ext value, null for a plain value.</param>
/// <param name="Json">The value as one line of JSON: a standard message by pygecko's field names, bytes abbreviated.</param>
/// <param name="Valid">False when the payload is not one MessagePack value; then <paramref name="Json"/> is a JSON string describing it.</param>
public sealed record PayloadText(string? Type, string Json, bool Valid)
{
    /// <summary>Binary values longer than this are shown by their length and first bytes.</summary>
    public const int BytesShown = 16;

    private const int MaxDepth = 64;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Readable in a terminal: non-ASCII stays as it is; control characters are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>What <c>gecko topic echo</c> prints: <c>twist {"linear": ...}</c>, or the JSON of a plain value.</summary>
    public override string ToString() => Type is null ? Json : $"{Type} {Json}";

    /// <summary>Reads any payload; never throws (the payload is whatever someone published).</summary>
    public static PayloadText From(ReadOnlyMemory<byte> payload)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(64, payload.Length * 2));
        string? type = null;
        try
        {
            using (var json = new Utf8JsonWriter(buffer, WriterOptions))
            {
                var reader = new MessagePackReader(payload);
                type = WriteTop(json, ref reader);
                if (!reader.End) throw new MessagePackSerializationException($"{payload.Length - reader.Consumed} bytes after the value");
            }
            return new PayloadText(type, Encoding.UTF8.GetString(buffer.WrittenSpan), true);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException
                                      or OverflowException or ArgumentException or InsufficientExecutionStackException)
        {
            return new PayloadText(null, JsonSerializer.Serialize($"<not MessagePack: {Abbreviated(payload.Span)}>", JsonOptions), false);
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><c>921600 bytes: ffd8ffe000104a46…</c></summary>
    public static string Abbreviated(ReadOnlySpan<byte> bytes) =>
        bytes.Length <= BytesShown
            ? $"{bytes.Length} bytes: {Convert.ToHexStringLower(bytes)}"
            : $"{bytes.Length} bytes: {Convert.ToHexStringLower(bytes[..BytesShown])}…";

    private static string Abbreviated(ReadOnlySequence<byte> bytes) =>
        bytes.Length <= BytesShown
            ? Abbreviated(bytes.ToArray())
            : $"{bytes.Length} bytes: {Convert.ToHexStringLower(bytes.Slice(0, BytesShown).ToArray())}…";

    private static string? WriteTop(Utf8JsonWriter json, ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.Extension)
        {
            WriteValue(json, ref reader, null, 0);
            return null;
        }
        var header = reader.ReadExtensionFormatHeader();
        var data = reader.ReadRaw(header.Length);
        if (MessageSchema.TryGet(header.TypeCode, out var schema) && TryWriteMessage(json, data, schema)) return schema.Name;
        WriteExtensionData(json, data);
        return $"ext({header.TypeCode})";
    }

    /// <summary>Writes an ext value's data as the message's fields by name; false (nothing written) when it does not fit the schema.</summary>
    private static bool TryWriteMessage(Utf8JsonWriter json, ReadOnlySequence<byte> data, MessageSchema schema)
    {
        var probe = new MessagePackReader(data);
        if (probe.NextMessagePackType != MessagePackType.Array || probe.ReadArrayHeader() != schema.Fields.Count) return false;
        var reader = new MessagePackReader(data);
        WriteValue(json, ref reader, schema, 0);
        return reader.End;
    }

    private static void WriteExtensionData(Utf8JsonWriter json, ReadOnlySequence<byte> data)
    {
        // An unknown ext: its data is usually MessagePack too (a user message's fields); else its bytes.
        var reader = new MessagePackReader(data);
        try
        {
            var copy = new ArrayBufferWriter<byte>();
            using (var inner = new Utf8JsonWriter(copy, WriterOptions))
            {
                WriteValue(inner, ref reader, null, 1);
            }
            if (reader.End)
            {
                json.WriteRawValue(copy.WrittenSpan, skipInputValidation: true);
                return;
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or OverflowException)
        {
        }
        json.WriteStringValue($"<{Abbreviated(data)}>");
    }

    private static void WriteValue(Utf8JsonWriter json, ref MessagePackReader reader, MessageSchema? schema, int depth)
    {
        if (depth > MaxDepth) throw new MessagePackSerializationException($"nested deeper than {MaxDepth} levels");
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                json.WriteNullValue();
                break;
            case MessagePackType.Boolean:
                json.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64) json.WriteNumberValue(reader.ReadUInt64());
                else json.WriteNumberValue(reader.ReadInt64());
                break;
            case MessagePackType.Float:
                WriteFloat(json, reader.ReadDouble());
                break;
            case MessagePackType.String:
                json.WriteStringValue(reader.ReadString());
                break;
            case MessagePackType.Binary:
                json.WriteStringValue($"<{Abbreviated(reader.ReadBytes()!.Value)}>");
                break;
            case MessagePackType.Array:
                WriteArray(json, ref reader, schema, depth);
                break;
            case MessagePackType.Map:
            {
                var count = reader.ReadMapHeader();
                json.WriteStartObject();
                for (var i = 0; i < count; i++)
                {
                    json.WritePropertyName(KeyText(ref reader));
                    WriteValue(json, ref reader, null, depth + 1);
                }
                json.WriteEndObject();
                break;
            }
            case MessagePackType.Extension:
            {
                var header = reader.ReadExtensionFormatHeader();
                var data = reader.ReadRaw(header.Length);
                json.WriteStartObject();
                json.WriteNumber("ext", header.TypeCode);
                json.WritePropertyName("data");
                WriteExtensionData(json, data);
                json.WriteEndObject();
                break;
            }
            default:
                throw new MessagePackSerializationException($"unknown MessagePack code 0x{reader.NextCode:x2}");
        }
    }

    private static void WriteArray(Utf8JsonWriter json, ref MessagePackReader reader, MessageSchema? schema, int depth)
    {
        var count = reader.ReadArrayHeader();
        if (schema is not null && count == schema.Fields.Count)
        {
            json.WriteStartObject();
            foreach (var field in schema.Fields)
            {
                json.WritePropertyName(field.Name);
                WriteValue(json, ref reader, field.Nested, depth + 1);
            }
            json.WriteEndObject();
            return;
        }
        json.WriteStartArray();
        for (var i = 0; i < count; i++) WriteValue(json, ref reader, null, depth + 1);
        json.WriteEndArray();
    }

    private static string KeyText(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.String:
                return reader.ReadString() ?? "";
            case MessagePackType.Integer:
                return reader.ReadInt64().ToString(CultureInfo.InvariantCulture);
            default:
                // A key that is not text (an array, a float, ...): shown as its JSON.
                var buffer = new ArrayBufferWriter<byte>();
                using (var json = new Utf8JsonWriter(buffer, WriterOptions))
                {
                    WriteValue(json, ref reader, null, MaxDepth - 4);
                }
                return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
    }

    /// <summary>A float keeps its point (<c>1.0</c>, not <c>1</c>) so it is not taken for an integer; NaN and infinities as strings.</summary>
    private static void WriteFloat(Utf8JsonWriter json, double value)
    {
        if (!double.IsFinite(value))
        {
            json.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
            return;
        }
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (!text.Contains('.') && !text.Contains('E')) text += ".0";
        json.WriteRawValue(text, skipInputValidation: true);
    }
}
