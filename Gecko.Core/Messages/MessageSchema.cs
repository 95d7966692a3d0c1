namespace Gecko.Core.Messages;

/// <summary>What a field of a standard message holds, as it travels in MessagePack.</summary>
public enum FieldKind
{
    /// <summary>A float64.</summary>
    Float,

    /// <summary>A float64 of Unix time in seconds; tools fill it with the current time when it is left out.</summary>
    Timestamp,

    /// <summary>A string.</summary>
    Text,

    /// <summary>A boolean.</summary>
    Boolean,

    /// <summary>A binary blob (MessagePack bin).</summary>
    Bytes,

    /// <summary>An array of float64.</summary>
    Floats,

    /// <summary>An array of integers.</summary>
    Integers,

    /// <summary>An array of arrays of float64 (lidar rows).</summary>
    FloatRows,

    /// <summary>A nested message, as the plain array of its fields.</summary>
    Message,
}

/// <summary>A field of a standard message.</summary>
/// <param name="Name">pygecko's name for it (snake_case).</param>
/// <param name="Kind">What it holds.</param>
/// <param name="Nested">For <see cref="FieldKind.Message"/>: the nested message.</param>
public sealed record MessageField(string Name, FieldKind Kind, MessageSchema? Nested = null);

/// <summary>
/// The standard messages of wire protocol v1 by pygecko's field names: what <c>gecko topic echo</c> shows and what
/// <c>gecko topic pub --type</c> reads. The field order is the wire order of the message records
/// (<see cref="Messages.Vector"/>, <see cref="Twist"/>, ...); a test checks that both encode to the same bytes.
/// </summary>
/// <param name="Name">The message's name (lowercase, as pygecko and DESIGN.md call it).</param>
/// <param name="Id">Its ext type code; null for <c>log</c>, which is a plain array.</param>
/// <param name="Fields">Its fields in wire order.</param>
public sealed record MessageSchema(string Name, sbyte? Id, IReadOnlyList<MessageField> Fields)
{
    /// <summary>x, y, z.</summary>
    public static MessageSchema Vector { get; } = new("vector", 0, [new("x", FieldKind.Float), new("y", FieldKind.Float), new("z", FieldKind.Float)]);

    /// <summary>w, x, y, z.</summary>
    public static MessageSchema Quaternion { get; } = new("quaternion", 1,
        [new("w", FieldKind.Float), new("x", FieldKind.Float), new("y", FieldKind.Float), new("z", FieldKind.Float)]);

    /// <summary>All standard messages, <c>log</c> included.</summary>
    public static IReadOnlyList<MessageSchema> All { get; } =
    [
        Vector,
        Quaternion,
        new("wrench", 2, [new("force", FieldKind.Message, Vector), new("torque", FieldKind.Message, Vector)]),
        new("pose", 3, [new("position", FieldKind.Message, Vector), new("orientation", FieldKind.Message, Quaternion)]),
        new("twist", 4, [new("linear", FieldKind.Message, Vector), new("angular", FieldKind.Message, Vector)]),
        new("imu", 10,
        [
            new("linear_accel", FieldKind.Message, Vector), new("angular_vel", FieldKind.Message, Vector),
            new("magnetic_field", FieldKind.Message, Vector), new("timestamp", FieldKind.Timestamp),
        ]),
        new("joystick", 11,
            [new("axes", FieldKind.Floats), new("buttons", FieldKind.Integers), new("type", FieldKind.Text), new("timestamp", FieldKind.Timestamp)]),
        new("image", 12,
            [new("shape", FieldKind.Integers), new("bytes", FieldKind.Bytes), new("compressed", FieldKind.Boolean), new("timestamp", FieldKind.Timestamp)]),
        new("lidar", 20, [new("data", FieldKind.FloatRows), new("timestamp", FieldKind.Timestamp)]),
        new("log", null, [new("level", FieldKind.Text), new("name", FieldKind.Text), new("text", FieldKind.Text)]),
    ];

    /// <summary>The standard message named <paramref name="name"/> (case-insensitive).</summary>
    public static bool TryGet(string name, out MessageSchema schema)
    {
        schema = All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))!;
        return schema is not null;
    }

    /// <summary>The standard message with ext type code <paramref name="id"/>.</summary>
    public static bool TryGet(sbyte id, out MessageSchema schema)
    {
        schema = All.FirstOrDefault(s => s.Id == id)!;
        return schema is not null;
    }

    /// <summary>The field names, e.g. <c>linear, angular</c>.</summary>
    public string FieldList => string.Join(", ", Fields.Select(f => f.Name));
}
