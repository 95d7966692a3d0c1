namespace Gecko.Core.Routing;

/// <summary>Why the hub dropped an incoming message.</summary>
public enum MalformedReason
{
    /// <summary>Not exactly two frames.</summary>
    WrongFrameCount,

    /// <summary>The topic frame is empty, longer than 255 bytes or not UTF-8.</summary>
    BadTopic,

    /// <summary>The payload is larger than <c>gecko.core.max-payload-size</c>.</summary>
    PayloadTooLarge,

    /// <summary>A new topic arrived while the hub already counts <c>gecko.core.max-topics</c> topics.</summary>
    TooManyTopics,

    /// <summary>A <c>core_info</c> payload that is not a registration.</summary>
    BadRegistration,

    /// <summary>A message from outside on a reserved <c>gecko.*</c> topic other than <c>gecko.query</c> (only the hub speaks there).</summary>
    ReservedTopic,

    /// <summary>A <c>gecko.query</c> payload that is not a query.</summary>
    BadQuery,
}
