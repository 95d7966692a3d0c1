using System.Text;
using System.Text.Unicode;

namespace Gecko.Core.Wire;

/// <summary>
/// Wire protocol v1: a message is exactly two frames, <c>[topic, payload]</c>, the topic UTF-8 of 1–255 bytes.
/// </summary>
public static class WireProtocol
{
    /// <summary>The longest topic, in UTF-8 bytes.</summary>
    public const int MaxTopicBytes = 255;

    /// <summary>The topic on which nodes register their process with the hub.</summary>
    public const string CoreInfoTopic = "core_info";

    /// <summary>The topic log messages are published on.</summary>
    public const string LogTopic = "log";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Whether a topic frame of <paramref name="length"/> bytes has a valid length (1–255); checked on every message.</summary>
    public static bool HasValidTopicLength(int length) => length is > 0 and <= MaxTopicBytes;

    /// <summary>Decodes a topic frame, or returns false when it is empty, too long or not valid UTF-8.</summary>
    public static bool TryDecodeTopic(ReadOnlySpan<byte> frame, out string topic)
    {
        topic = "";
        // Checked first so garbage costs no exception: 10,000 invalid topics a second must not become 10,000 throws.
        if (!HasValidTopicLength(frame.Length) || !Utf8.IsValid(frame)) return false;
        topic = StrictUtf8.GetString(frame);
        return true;
    }

    /// <summary>Encodes <paramref name="topic"/> for the wire.</summary>
    /// <exception cref="ArgumentException">The topic is empty or longer than 255 UTF-8 bytes.</exception>
    public static byte[] EncodeTopic(string topic)
    {
        CheckTopic(topic);
        return StrictUtf8.GetBytes(topic);
    }

    /// <summary>Checks <paramref name="topic"/> as <see cref="EncodeTopic"/> does, without allocating (every in-process publish is checked).</summary>
    /// <exception cref="ArgumentException">The topic is empty, longer than 255 UTF-8 bytes or not valid UTF-16.</exception>
    public static void CheckTopic(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var length = StrictUtf8.GetByteCount(topic);
        if (length > MaxTopicBytes)
            throw new ArgumentException($"Topic '{topic[..Math.Min(32, topic.Length)]}…' is {length} bytes in UTF-8; topics are at most {MaxTopicBytes} bytes.", nameof(topic));
    }
}
