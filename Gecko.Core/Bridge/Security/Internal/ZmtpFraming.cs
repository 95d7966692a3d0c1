using System.Buffers.Binary;
using System.Text;

namespace Gecko.Core.Bridge.Security.Internal;

/// <summary>A peer broke the ZMTP or CurveZMQ protocol (or a limit): its connection is closed.</summary>
internal sealed class ZmtpProtocolException(string message) : Exception(message);

/// <summary>One ZMTP 3.0 frame header: its flags and the size of the body that follows.</summary>
internal readonly record struct ZmtpFrameHeader(byte Flags, long Size)
{
    public const byte More = 0x01;
    public const byte Long = 0x02;
    public const byte Command = 0x04;

    public bool HasMore => (Flags & More) != 0;

    public bool IsCommand => (Flags & Command) != 0;

    /// <summary>Writes a header for a body of <paramref name="size"/> bytes into <paramref name="into"/>; returns its length.</summary>
    public static int Write(Span<byte> into, long size, bool more, bool command)
    {
        var flags = (byte)((more ? More : 0) | (command ? Command : 0));
        if (size <= byte.MaxValue)
        {
            into[0] = flags;
            into[1] = (byte)size;
            return 2;
        }
        into[0] = (byte)(flags | Long);
        BinaryPrimitives.WriteInt64BigEndian(into[1..], size);
        return 9;
    }
}

/// <summary>
/// ZMTP 3.0 as far as the CURVE gate needs it: the greeting, command frames and metadata properties (RFC 23/ZMTP), read
/// from a buffered stream with every size checked against a limit before anything is allocated for it.
/// </summary>
internal sealed class ZmtpReader(Stream stream, int bufferSize = 64 * 1024)
{
    private readonly byte[] _buffer = new byte[bufferSize];
    private int _start;
    private int _end;

    /// <summary>Bytes read from the stream and not consumed yet: when 0, the next read may wait for the peer.</summary>
    public int Buffered => _end - _start;

    /// <summary>Fills <paramref name="into"/> completely; false when the stream ended before the first byte.</summary>
    /// <exception cref="ZmtpProtocolException">The stream ended in the middle.</exception>
    public async ValueTask<bool> TryReadExactlyAsync(Memory<byte> into, CancellationToken token)
    {
        var filled = 0;
        while (filled < into.Length)
        {
            if (Buffered == 0)
            {
                // A large body goes straight into its destination, without a detour through the buffer.
                if (into.Length - filled >= _buffer.Length)
                {
                    var direct = await stream.ReadAsync(into[filled..], token);
                    if (direct == 0) return filled == 0 ? false : throw new ZmtpProtocolException("the connection ended inside a frame");
                    filled += direct;
                    continue;
                }
                _start = 0;
                _end = await stream.ReadAsync(_buffer, token);
                if (_end == 0) return filled == 0 ? false : throw new ZmtpProtocolException("the connection ended inside a frame");
            }
            var count = Math.Min(Buffered, into.Length - filled);
            _buffer.AsSpan(_start, count).CopyTo(into.Span[filled..]);
            _start += count;
            filled += count;
        }
        return true;
    }

    /// <summary>Reads a frame header; null when the stream ended cleanly before it.</summary>
    /// <exception cref="ZmtpProtocolException">Reserved flag bits are set or the body is larger than <paramref name="maxSize"/>.</exception>
    public async ValueTask<ZmtpFrameHeader?> ReadHeaderAsync(long maxSize, CancellationToken token)
    {
        var head = new byte[9];
        if (!await TryReadExactlyAsync(head.AsMemory(0, 1), token)) return null;
        var flags = head[0];
        if ((flags & ~(ZmtpFrameHeader.More | ZmtpFrameHeader.Long | ZmtpFrameHeader.Command)) != 0)
            throw new ZmtpProtocolException($"reserved frame flags 0x{flags:x2}");
        long size;
        if ((flags & ZmtpFrameHeader.Long) != 0)
        {
            await ReadRequiredAsync(head.AsMemory(1, 8), token);
            size = BinaryPrimitives.ReadInt64BigEndian(head.AsSpan(1, 8));
        }
        else
        {
            await ReadRequiredAsync(head.AsMemory(1, 1), token);
            size = head[1];
        }
        if (size < 0 || size > maxSize) throw new ZmtpProtocolException($"a frame of {size} bytes, over the limit of {maxSize}");
        return new ZmtpFrameHeader(flags, size);
    }

    /// <summary>Reads one whole command frame (at most <paramref name="maxSize"/> bytes) and returns its body.</summary>
    public async ValueTask<byte[]> ReadCommandAsync(int maxSize, CancellationToken token)
    {
        var header = await ReadHeaderAsync(maxSize, token) ?? throw new ZmtpProtocolException("the connection ended during the handshake");
        if (!header.IsCommand || header.HasMore) throw new ZmtpProtocolException("a message where a handshake command was due");
        var body = new byte[header.Size];
        await ReadRequiredAsync(body, token);
        return body;
    }

    public async ValueTask ReadRequiredAsync(Memory<byte> into, CancellationToken token)
    {
        if (!await TryReadExactlyAsync(into, token)) throw new ZmtpProtocolException("the connection ended during the handshake");
    }
}

/// <summary>The fixed parts of ZMTP 3.0 (RFC 23): greetings, command names and metadata.</summary>
internal static class Zmtp
{
    public const int GreetingLength = 64;

    /// <summary>A version 3.0 greeting offering <paramref name="mechanism"/>. 3.0, not 3.1: peers then subscribe with messages.</summary>
    public static byte[] Greeting(string mechanism, bool asServer)
    {
        var greeting = new byte[GreetingLength];
        greeting[0] = 0xFF;
        greeting[9] = 0x7F;
        greeting[10] = 3;
        greeting[11] = 0;
        Encoding.ASCII.GetBytes(mechanism, greeting.AsSpan(12, 20));
        greeting[32] = asServer ? (byte)1 : (byte)0;
        return greeting;
    }

    /// <summary>Checks a peer's greeting: ZMTP 3 or later, offering <paramref name="mechanism"/>, in the other role.</summary>
    public static void CheckGreeting(ReadOnlySpan<byte> greeting, string mechanism, bool peerIsServer)
    {
        if (greeting[0] != 0xFF || (greeting[9] & 1) != 1) throw new ZmtpProtocolException("not a ZMTP greeting");
        if (greeting[10] < 3) throw new ZmtpProtocolException($"ZMTP {greeting[10]}.x: version 3 or later is needed");
        var offered = Encoding.ASCII.GetString(greeting.Slice(12, 20)).TrimEnd('\0');
        if (offered != mechanism) throw new ZmtpProtocolException($"the peer offers the {offered} mechanism, not {mechanism}");
        if ((greeting[32] == 1) != peerIsServer) throw new ZmtpProtocolException("the peer claims the wrong role (as-server)");
    }

    /// <summary>Whether <paramref name="body"/> is the command <paramref name="name"/> (a length byte, then the name).</summary>
    public static bool IsCommand(ReadOnlySpan<byte> body, string name) =>
        body.Length > name.Length && body[0] == name.Length && Encoding.ASCII.GetString(body.Slice(1, name.Length)) == name;

    /// <summary>A command body: its name with its length byte, then <paramref name="data"/>.</summary>
    public static byte[] Command(string name, ReadOnlySpan<byte> data)
    {
        var body = new byte[1 + name.Length + data.Length];
        body[0] = (byte)name.Length;
        Encoding.ASCII.GetBytes(name, body.AsSpan(1));
        data.CopyTo(body.AsSpan(1 + name.Length));
        return body;
    }

    /// <summary>The metadata of READY or INITIATE holding one property, <c>Socket-Type</c>.</summary>
    public static byte[] SocketTypeMetadata(string socketType)
    {
        var metadata = new byte[1 + 11 + 4 + socketType.Length];
        metadata[0] = 11;
        Encoding.ASCII.GetBytes("Socket-Type", metadata.AsSpan(1));
        BinaryPrimitives.WriteInt32BigEndian(metadata.AsSpan(12), socketType.Length);
        Encoding.ASCII.GetBytes(socketType, metadata.AsSpan(16));
        return metadata;
    }

    /// <summary>The value of <c>Socket-Type</c> in <paramref name="metadata"/>.</summary>
    /// <exception cref="ZmtpProtocolException">The metadata is malformed or has no socket type.</exception>
    public static string SocketType(ReadOnlySpan<byte> metadata)
    {
        string? socketType = null;
        while (metadata.Length > 0)
        {
            var nameLength = metadata[0];
            if (nameLength == 0 || metadata.Length < 1 + nameLength + 4) throw new ZmtpProtocolException("malformed metadata");
            var name = Encoding.ASCII.GetString(metadata.Slice(1, nameLength));
            var valueLength = BinaryPrimitives.ReadInt32BigEndian(metadata.Slice(1 + nameLength, 4));
            var rest = metadata[(1 + nameLength + 4)..];
            if (valueLength < 0 || valueLength > rest.Length) throw new ZmtpProtocolException("malformed metadata");
            if (string.Equals(name, "Socket-Type", StringComparison.OrdinalIgnoreCase))
                socketType = Encoding.ASCII.GetString(rest[..valueLength]);
            metadata = rest[valueLength..];
        }
        return socketType ?? throw new ZmtpProtocolException("the peer did not say its socket type");
    }
}
