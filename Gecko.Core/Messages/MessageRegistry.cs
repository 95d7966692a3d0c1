using System.Collections.Concurrent;
using System.Reflection;
using MessagePack;

namespace Gecko.Core.Messages;

/// <summary>Which .NET type each ext type code stands for. The standard messages are registered from the start.</summary>
public static class MessageRegistry
{
    /// <summary>The first id free for your own message types (standard ids stop at 20; some room is kept).</summary>
    public const sbyte FirstUserId = 32;

    private static readonly ConcurrentDictionary<sbyte, Type> ById = new();
    private static readonly ConcurrentDictionary<Type, sbyte> ByType = new();

    static MessageRegistry()
    {
        foreach (var type in new[] { typeof(Vector), typeof(Quaternion), typeof(Wrench), typeof(Pose), typeof(Twist),
                     typeof(Imu), typeof(Joystick), typeof(Image), typeof(Lidar) })
            Add(type, type.GetCustomAttribute<GeckoMessageAttribute>()!.Id);
    }

    /// <summary>
    /// Registers your message type <typeparamref name="T"/>: a <c>[MessagePackObject]</c> record with int keys and a
    /// <see cref="GeckoMessageAttribute"/> whose id is from <see cref="FirstUserId"/> to 127. Registering the same type
    /// twice is harmless.
    /// </summary>
    /// <exception cref="ArgumentException">The type lacks the attributes, the id is out of range, or taken by another type.</exception>
    public static void Register<T>()
    {
        var type = typeof(T);
        var attribute = type.GetCustomAttribute<GeckoMessageAttribute>()
            ?? throw new ArgumentException($"{type.Name} needs [GeckoMessage(id)] with an id from {FirstUserId} to 127.", nameof(T));
        if (type.GetCustomAttribute<MessagePackObjectAttribute>() is null)
            throw new ArgumentException($"{type.Name} needs [MessagePackObject] and [Key(n)] on its fields, so it encodes as an array.", nameof(T));
        if (attribute.Id < FirstUserId)
            throw new ArgumentException($"{type.Name} has id {attribute.Id}; ids below {FirstUserId} are Gecko's: pick one from {FirstUserId} to 127.", nameof(T));
        Add(type, attribute.Id);
    }

    /// <summary>The type registered for <paramref name="id"/>.</summary>
    public static bool TryGetType(sbyte id, out Type type) => ById.TryGetValue(id, out type!);

    /// <summary>The ext type code of <paramref name="type"/>, if it is a registered message.</summary>
    public static bool TryGetId(Type type, out sbyte id) => ByType.TryGetValue(type, out id);

    private static void Add(Type type, sbyte id)
    {
        var existing = ById.GetOrAdd(id, type);
        if (existing != type)
            throw new ArgumentException($"Message id {id} is already {existing.Name}; give {type.Name} another id.");
        ByType[type] = id;
    }
}
