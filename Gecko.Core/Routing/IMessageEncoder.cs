namespace Gecko.Core.Routing;

/// <summary>Turns an in-process message into wire bytes, for when something outside the process wants it.</summary>
public interface IMessageEncoder
{
    /// <summary>Encodes <paramref name="message"/>, or returns false when this encoder does not know its type.</summary>
    bool TryEncode(object message, out byte[] payload);

    /// <summary>The payload size of <paramref name="message"/> if it is known without encoding, else -1.</summary>
    int KnownSize(object message);
}

/// <summary>The encoder that knows only raw payloads (<see cref="T:byte[]"/>), passed through as they are.</summary>
public sealed class RawPayloadEncoder : IMessageEncoder
{
    /// <summary>The shared instance.</summary>
    public static readonly RawPayloadEncoder Instance = new();

    /// <inheritdoc />
    public bool TryEncode(object message, out byte[] payload)
    {
        payload = message as byte[] ?? [];
        return message is byte[];
    }

    /// <inheritdoc />
    public int KnownSize(object message) => message is byte[] bytes ? bytes.Length : -1;
}
