using System.Buffers.Binary;
using System.Diagnostics;

namespace Gecko.Launch.Bench.Endpoints;

/// <summary>
/// The header every bench payload starts with: the publisher's sequence number (so the subscriber counts exactly what
/// was lost or reordered), the send time (for latency), and the publisher's index (for fan-in).
/// </summary>
public static class BenchPayload
{
    /// <summary>Bytes of the payload a subscriber copies out; the rest is filler.</summary>
    public const int HeaderSize = 64;

    /// <summary>The smallest payload that holds the header fields.</summary>
    public const int MinimumSize = 20;

    /// <summary>The sequence number of handshake probes, which are not counted.</summary>
    public const long Probe = -1;

    /// <summary>Writes the header fields into <paramref name="payload"/>.</summary>
    public static void Write(Span<byte> payload, long sequence, int publisher, long timestamp)
    {
        BinaryPrimitives.WriteInt64LittleEndian(payload, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], timestamp);
        BinaryPrimitives.WriteInt32LittleEndian(payload[16..], publisher);
    }

    /// <summary>Writes the fields with the current <see cref="Stopwatch"/> time.</summary>
    public static void Stamp(Span<byte> payload, long sequence, int publisher) => Write(payload, sequence, publisher, Stopwatch.GetTimestamp());

    /// <summary>The sequence number.</summary>
    public static long Sequence(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadInt64LittleEndian(header);

    /// <summary>The send time (<see cref="Stopwatch"/> ticks).</summary>
    public static long Timestamp(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadInt64LittleEndian(header[8..]);

    /// <summary>The publisher's index.</summary>
    public static int Publisher(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadInt32LittleEndian(header[16..]);

    /// <summary>A payload of <paramref name="size"/> bytes with recognisable filler.</summary>
    public static byte[] New(int size)
    {
        if (size < MinimumSize) throw new ArgumentOutOfRangeException(nameof(size), size, $"Bench payloads are at least {MinimumSize} bytes.");
        var payload = new byte[size];
        for (var i = MinimumSize; i < size; i++) payload[i] = (byte)i;
        return payload;
    }
}
