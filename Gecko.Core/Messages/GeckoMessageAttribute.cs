namespace Gecko.Core.Messages;

/// <summary>
/// Marks a <c>[MessagePackObject]</c> record as a Gecko message with an ext type code. Standard messages use
/// 0–20; your own types take an id from <see cref="MessageRegistry.FirstUserId"/> to 127 and are registered
/// with <see cref="MessageRegistry.Register{T}"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GeckoMessageAttribute : Attribute
{
    /// <summary>Marks a message type with its ext type code.</summary>
    public GeckoMessageAttribute(sbyte id) => Id = id;

    /// <summary>The ext type code.</summary>
    public sbyte Id { get; }
}
