using Gecko.Core.Routing;
using MessagePack;

namespace Gecko.Core.Messages;

/// <summary>The router's encoder for in-process messages: raw payloads as they are, everything else by <see cref="GeckoSerializer"/>.</summary>
public sealed class GeckoMessageEncoder : IMessageEncoder
{
    /// <summary>The shared instance.</summary>
    public static readonly GeckoMessageEncoder Instance = new();

    /// <inheritdoc />
    public bool TryEncode(object message, out byte[] payload)
    {
        try
        {
            payload = GeckoSerializer.Encode(message);
            return true;
        }
        catch (MessagePackSerializationException)
        {
            payload = [];
            return false;
        }
    }

    /// <inheritdoc />
    public int KnownSize(object message) => message is byte[] bytes ? bytes.Length : -1;
}
