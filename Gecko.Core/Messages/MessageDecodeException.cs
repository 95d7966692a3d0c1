namespace Gecko.Core.Messages;

/// <summary>A payload could not be decoded as the message asked for.</summary>
public sealed class MessageDecodeException : GeckoException
{
    /// <summary>Creates the error.</summary>
    public MessageDecodeException(string message, Exception? inner = null) : base(message, inner!) { }
}
