using System.Buffers;
using System.Text.Json;
using Gecko.Core;
using Gecko.Core.Messages;
using Gecko.Launch.LaunchFiles.Internal;
using MessagePack;

namespace Gecko.Launch.Tools;

/// <summary>
/// Turns what a user types into a payload: any JSON value as plain MessagePack (objects become maps, integers stay
/// integers, other numbers are float64 — what msgpack-python makes of <c>json.loads</c>), or a standard message from
/// a JSON object of its fields by name (or an array of them in order), encoded exactly as Gecko's and pygecko's nodes do.
/// </summary>
public static class JsonPayload
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <summary>A parsed value, ready to encode (again, for a fresh timestamp).</summary>
    /// <param name="Schema">The standard message, or null for a plain value.</param>
    /// <param name="Json">The parsed JSON.</param>
    public sealed record Value(MessageSchema? Schema, JsonElement Json)
    {
        /// <summary>Whether a timestamp field was left out and is filled with the time of each encoding.</summary>
        public bool StampsTime => Schema is not null && Schema.Fields.Select((item, index) => (Item: item, Index: index))
            .Any(f => f.Item.Kind == FieldKind.Timestamp && !Has(Json, f.Item, f.Index));

        /// <summary>The payload; timestamps left out are <paramref name="now"/>.</summary>
        public byte[] Encode(DateTimeOffset now)
        {
            var buffer = new ArrayBufferWriter<byte>(64);
            var writer = new MessagePackWriter(buffer);
            if (Schema is null) WritePlain(ref writer, Json);
            else if (Schema.Id is not { } id) WriteFields(ref writer, Schema, Json, Schema.Name, now);
            else
            {
                var inner = new ArrayBufferWriter<byte>(64);
                var fields = new MessagePackWriter(inner);
                WriteFields(ref fields, Schema, Json, Schema.Name, now);
                fields.Flush();
                writer.WriteExtensionFormat(new ExtensionResult(id, new ReadOnlySequence<byte>(inner.WrittenMemory)));
            }
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
    }

    /// <summary>Parses <paramref name="json"/> as a plain value, or as the standard message <paramref name="type"/>.</summary>
    /// <exception cref="GeckoConfigurationException">The text is not JSON, <paramref name="type"/> is unknown, or the fields do not fit it; the message says how to fix it.</exception>
    public static Value Parse(string json, string? type = null)
    {
        MessageSchema? schema = null;
        if (type is not null && !MessageSchema.TryGet(type, out schema))
            throw new GeckoConfigurationException(
                $"--type '{type}' is not a standard message{ClosestName.Hint(type, MessageSchema.All.Select(s => s.Name))}: use one of {string.Join(", ", MessageSchema.All.Select(s => s.Name))}, or leave --type out for plain JSON.");
        JsonElement element;
        try
        {
            using var document = JsonDocument.Parse(json, Options);
            element = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            var hint = json.Length > 0 && json.TrimStart()[0] is not ('{' or '[' or '"') && !double.TryParse(json, out _) && json is not ("true" or "false" or "null")
                ? $" A string needs JSON quotes, which the shell keeps inside single quotes: '\"{json}\"'."
                : " Quote the whole value for the shell, e.g. '{\"speed\": 0.5}'.";
            throw new GeckoConfigurationException($"the value {Shorten(json)} is not valid JSON ({e.Message}).{hint}");
        }
        var value = new Value(schema, element);
        // Encoded once here so every mistake shows before anything is sent.
        value.Encode(DateTimeOffset.UtcNow);
        return value;
    }

    private static string Shorten(string text) => text.Length <= 60 ? $"'{text}'" : $"'{text[..57]}...'";

    private static bool Has(JsonElement value, MessageField field, int index) =>
        value.ValueKind == JsonValueKind.Object ? value.TryGetProperty(field.Name, out _)
        : value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > index;

    private static void WriteFields(ref MessagePackWriter writer, MessageSchema schema, JsonElement value, string path, DateTimeOffset now)
    {
        var fields = schema.Fields;
        var example = $"{{{string.Join(", ", fields.Select(f => $"\"{f.Name}\": ..."))}}}";
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
            {
                foreach (var property in value.EnumerateObject())
                {
                    if (!fields.Any(f => f.Name == property.Name))
                        throw Error(path, $"has no field '{property.Name}'{ClosestName.Hint(property.Name, fields.Select(f => f.Name))}: its fields are {schema.FieldList}");
                }
                writer.WriteArrayHeader(fields.Count);
                foreach (var field in fields)
                {
                    if (value.TryGetProperty(field.Name, out var item)) WriteField(ref writer, field, item, $"{path}.{field.Name}", now);
                    else if (field.Kind == FieldKind.Timestamp) writer.Write(now.ToUnixTimeMilliseconds() / 1000.0);
                    else throw Error(path, $"needs its field '{field.Name}': give {example}");
                }
                break;
            }
            case JsonValueKind.Array:
            {
                var items = value.EnumerateArray().ToArray();
                var timestampLast = fields[^1].Kind == FieldKind.Timestamp && items.Length == fields.Count - 1;
                if (items.Length != fields.Count && !timestampLast)
                    throw Error(path, $"has {fields.Count} fields ({schema.FieldList}), not {items.Length}: give [{string.Join(", ", fields.Select(f => f.Name))}] or {example}");
                writer.WriteArrayHeader(fields.Count);
                for (var i = 0; i < items.Length; i++) WriteField(ref writer, fields[i], items[i], $"{path}.{fields[i].Name}", now);
                if (timestampLast) writer.Write(now.ToUnixTimeMilliseconds() / 1000.0);
                break;
            }
            default:
                throw Error(path, $"is a {schema.Name}: give {example} or [{string.Join(", ", fields.Select(f => f.Name))}], not {Describe(value)}");
        }
    }

    private static void WriteField(ref MessagePackWriter writer, MessageField field, JsonElement value, string path, DateTimeOffset now)
    {
        switch (field.Kind)
        {
            case FieldKind.Float or FieldKind.Timestamp:
                writer.Write(Number(value, path));
                break;
            case FieldKind.Text:
                if (value.ValueKind != JsonValueKind.String) throw Error(path, $"is text: give a string in quotes, not {Describe(value)}");
                writer.Write(value.GetString());
                break;
            case FieldKind.Boolean:
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw Error(path, $"is true or false, not {Describe(value)}");
                writer.Write(value.GetBoolean());
                break;
            case FieldKind.Floats:
            {
                var items = List(value, path, "numbers, e.g. [0.0, 0.5, -1.0]");
                writer.WriteArrayHeader(items.Length);
                for (var i = 0; i < items.Length; i++) writer.Write(Number(items[i], $"{path}[{i}]"));
                break;
            }
            case FieldKind.Integers:
            {
                var items = List(value, path, "integers, e.g. [0, 1, 0]");
                writer.WriteArrayHeader(items.Length);
                for (var i = 0; i < items.Length; i++) writer.Write(Integer(items[i], $"{path}[{i}]"));
                break;
            }
            case FieldKind.FloatRows:
            {
                var rows = List(value, path, "rows of numbers, e.g. [[0.0, 1.5], [90.0, 2.25]]");
                writer.WriteArrayHeader(rows.Length);
                for (var r = 0; r < rows.Length; r++)
                {
                    var row = List(rows[r], $"{path}[{r}]", "numbers, e.g. [90.0, 2.25]");
                    writer.WriteArrayHeader(row.Length);
                    for (var i = 0; i < row.Length; i++) writer.Write(Number(row[i], $"{path}[{r}][{i}]"));
                }
                break;
            }
            case FieldKind.Bytes:
                writer.Write(Bytes(value, path));
                break;
            case FieldKind.Message:
                WriteFields(ref writer, field.Nested!, value, path, now);
                break;
        }
    }

    private static JsonElement[] List(JsonElement value, string path, string what)
    {
        if (value.ValueKind != JsonValueKind.Array) throw Error(path, $"is a list of {what}, not {Describe(value)}");
        return value.EnumerateArray().ToArray();
    }

    private static double Number(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
            throw Error(path, $"is a number, not {Describe(value)}");
        return number;
    }

    private static long Integer(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
            throw Error(path, $"is an integer, not {Describe(value)}");
        return number;
    }

    private static byte[] Bytes(JsonElement value, string path)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                try
                {
                    return Convert.FromBase64String(value.GetString()!);
                }
                catch (FormatException)
                {
                    throw Error(path, "is bytes: give base64 text (e.g. \"AAECAw==\") or a list of 0-255");
                }
            case JsonValueKind.Array:
                return value.EnumerateArray().Select((item, i) =>
                    item.ValueKind == JsonValueKind.Number && item.TryGetByte(out var b) ? b : throw Error($"{path}[{i}]", $"is a byte from 0 to 255, not {Describe(item)}")).ToArray();
            default:
                throw Error(path, $"is bytes: give base64 text or a list of 0-255, not {Describe(value)}");
        }
    }

    private static void WritePlain(ref MessagePackWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteMapHeader(value.EnumerateObject().Count());
                foreach (var property in value.EnumerateObject())
                {
                    writer.Write(property.Name);
                    WritePlain(ref writer, property.Value);
                }
                break;
            case JsonValueKind.Array:
                writer.WriteArrayHeader(value.GetArrayLength());
                foreach (var item in value.EnumerateArray()) WritePlain(ref writer, item);
                break;
            case JsonValueKind.String:
                writer.Write(value.GetString());
                break;
            case JsonValueKind.Number:
                // As Python's json: a number written without a point or exponent is an integer.
                var text = value.GetRawText();
                if (text.IndexOfAny(['.', 'e', 'E']) < 0 && value.TryGetInt64(out var integer)) writer.Write(integer);
                else if (text.IndexOfAny(['.', 'e', 'E']) < 0 && value.TryGetUInt64(out var big)) writer.Write(big);
                else writer.Write(value.GetDouble());
                break;
            case JsonValueKind.True:
                writer.Write(true);
                break;
            case JsonValueKind.False:
                writer.Write(false);
                break;
            default:
                writer.WriteNil();
                break;
        }
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string {value.GetRawText()}",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => "null",
    };

    private static GeckoConfigurationException Error(string path, string what) => new($"{path} {what}.");
}
