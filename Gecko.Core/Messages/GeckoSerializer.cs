using System.Buffers;
using MessagePack;

namespace Gecko.Core.Messages;

/// <summary>
/// Encodes and decodes payloads as pygecko does: registered messages as MessagePack ext values (type code = id,
/// data = the array of fields), anything else as plain MessagePack. Decoding treats every payload as untrusted.
/// </summary>
public static class GeckoSerializer
{
    /// <summary>Options for bytes from the network: depth and collision limits on, no typeless resolvers.</summary>
    public static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>
    /// Encodes <paramref name="message"/>: a registered message or <see cref="RawExtension"/> as an ext value, a
    /// <see cref="T:byte[]"/> as it is (it already is a payload), anything else (maps, arrays, strings, numbers,
    /// <see cref="LogMessage"/>) as plain MessagePack.
    /// </summary>
    /// <exception cref="MessagePackSerializationException">The type cannot be encoded.</exception>
    public static byte[] Encode(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message)
        {
            case byte[] payload:
                return payload;
            case RawExtension raw:
                return WrapExt(raw.TypeCode, raw.Data);
        }
        var type = message.GetType();
        if (MessageRegistry.TryGetId(type, out var id))
            return WrapExt(id, MessagePackSerializer.Serialize(type, message, Options));
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        WritePlain(ref writer, message, depth: 0);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes a plain value with the smallest encoding of each number, as msgpack-python does: decoded maps hold
    /// small integers as byte, which MessagePack-CSharp would otherwise write back as uint8 rather than a fixint.
    /// </summary>
    private static void WritePlain(ref MessagePackWriter writer, object? value, int depth)
    {
        if (depth > 100) throw new MessagePackSerializationException("The value nests deeper than 100 levels.");
        switch (value)
        {
            case null: writer.WriteNil(); break;
            case bool b: writer.Write(b); break;
            case string text: writer.Write(text); break;
            case byte[] bytes: writer.Write(bytes); break;
            case sbyte or short or int or long or byte or ushort or uint: writer.Write(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case ulong big: writer.Write(big); break;
            case float single: writer.Write(single); break;
            case double number: writer.Write(number); break;
            case RawExtension raw: writer.WriteExtensionFormat(new ExtensionResult(raw.TypeCode, raw.Data)); break;
            case System.Collections.IDictionary map:
                writer.WriteMapHeader(map.Count);
                foreach (System.Collections.DictionaryEntry entry in map)
                {
                    WritePlain(ref writer, entry.Key, depth + 1);
                    WritePlain(ref writer, entry.Value, depth + 1);
                }
                break;
            case System.Collections.ICollection list:
                writer.WriteArrayHeader(list.Count);
                foreach (var item in list) WritePlain(ref writer, item, depth + 1);
                break;
            default:
                // A [MessagePackObject] type (a message nested in a plain value is a plain array, as in pygecko).
                writer.WriteRaw(MessagePackSerializer.Serialize(value.GetType(), value, Options));
                break;
        }
    }

    /// <summary>Decodes any payload: a registered message, a <see cref="RawExtension"/>, or a plain value (maps decode to dictionaries).</summary>
    /// <exception cref="MessageDecodeException">The bytes are not MessagePack.</exception>
    public static object? Decode(ReadOnlyMemory<byte> payload)
    {
        try
        {
            var reader = new MessagePackReader(payload);
            if (reader.NextMessagePackType == MessagePackType.Extension)
            {
                var header = reader.ReadExtensionFormatHeader();
                var data = reader.ReadRaw(header.Length);
                EnsureEnd(ref reader, payload.Length);
                if (!MessageRegistry.TryGetType(header.TypeCode, out var type))
                    return new RawExtension(header.TypeCode, data.ToArray());
                return Deserialize(type, data, header.TypeCode);
            }
            var value = MessagePackSerializer.Deserialize<object>(payload, Options, out var read);
            if (read != payload.Length) throw Trailing(payload.Length, read);
            return value;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or OverflowException)
        {
            throw new MessageDecodeException($"Not a valid MessagePack payload ({payload.Length} bytes): {e.Message}", e);
        }
    }

    /// <summary>
    /// Decodes a payload as <typeparamref name="T"/>: a registered message from its ext value, <see cref="LogMessage"/> or
    /// another plain type from plain MessagePack, <see cref="T:byte[]"/> as the payload itself, <see cref="object"/> as <see cref="Decode"/> does.
    /// </summary>
    /// <exception cref="MessageDecodeException">The payload is not a <typeparamref name="T"/>.</exception>
    public static T Decode<T>(ReadOnlyMemory<byte> payload)
    {
        if (typeof(T) == typeof(byte[])) return (T)(object)payload.ToArray();
        if (typeof(T) == typeof(object)) return (T)Decode(payload)!;
        try
        {
            if (!MessageRegistry.TryGetId(typeof(T), out var id))
            {
                var value = MessagePackSerializer.Deserialize<T>(payload, Options, out var read);
                if (read != payload.Length) throw Trailing(payload.Length, read);
                return value;
            }
            var reader = new MessagePackReader(payload);
            if (reader.NextMessagePackType != MessagePackType.Extension)
                throw new MessageDecodeException($"Expected a {typeof(T).Name} (ext {id}) but the payload is a plain {reader.NextMessagePackType}.");
            var header = reader.ReadExtensionFormatHeader();
            if (header.TypeCode != id)
                throw new MessageDecodeException($"Expected a {typeof(T).Name} (ext {id}) but the payload is ext {header.TypeCode}{NameOf(header.TypeCode)}.");
            var data = reader.ReadRaw(header.Length);
            EnsureEnd(ref reader, payload.Length);
            return (T)Deserialize(typeof(T), data, id);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or OverflowException)
        {
            throw new MessageDecodeException($"Cannot decode {payload.Length} bytes as {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>Like <see cref="Decode{T}"/>, without an exception: false and the reason instead.</summary>
    public static bool TryDecode<T>(ReadOnlyMemory<byte> payload, out T? message, out string? error)
    {
        try
        {
            message = Decode<T>(payload);
            error = null;
            return true;
        }
        catch (MessageDecodeException e)
        {
            message = default;
            error = e.Message;
            return false;
        }
    }

    private static object Deserialize(Type type, ReadOnlySequence<byte> data, sbyte id)
    {
        var value = MessagePackSerializer.Deserialize(type, data, Options)
            ?? throw new MessageDecodeException($"ext {id} ({type.Name}) holds nil instead of its fields.");
        return value;
    }

    private static byte[] WrapExt(sbyte typeCode, byte[] data)
    {
        var buffer = new ArrayBufferWriter<byte>(data.Length + 6);
        var writer = new MessagePackWriter(buffer);
        writer.WriteExtensionFormat(new ExtensionResult(typeCode, data));
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void EnsureEnd(ref MessagePackReader reader, int length)
    {
        if (!reader.End) throw Trailing(length, (int)reader.Consumed);
    }

    private static MessageDecodeException Trailing(int length, long read) =>
        new($"The payload has {length - read} bytes after its value; a payload is exactly one MessagePack value.");

    private static string NameOf(sbyte id) => MessageRegistry.TryGetType(id, out var type) ? $" ({type.Name})" : "";
}
