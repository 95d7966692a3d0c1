using MessagePack;

namespace Gecko.Core.Messages;

// The standard messages of wire protocol v1. Each is a MessagePack array of its fields in order (int keys);
// at the top level it is wrapped in an ext value whose type code is its id (see GeckoMessageAttribute).
// Nested messages stay plain arrays, exactly as pygecko 1.3 writes them.

/// <summary>A 3-vector (id 0).</summary>
[MessagePackObject, GeckoMessage(0)]
public sealed record Vector([property: Key(0)] double X, [property: Key(1)] double Y, [property: Key(2)] double Z);

/// <summary>A rotation quaternion (id 1).</summary>
[MessagePackObject, GeckoMessage(1)]
public sealed record Quaternion([property: Key(0)] double W, [property: Key(1)] double X, [property: Key(2)] double Y, [property: Key(3)] double Z);

/// <summary>Force and torque (id 2).</summary>
[MessagePackObject, GeckoMessage(2)]
public sealed record Wrench([property: Key(0)] Vector Force, [property: Key(1)] Vector Torque);

/// <summary>Position and orientation (id 3).</summary>
[MessagePackObject, GeckoMessage(3)]
public sealed record Pose([property: Key(0)] Vector Position, [property: Key(1)] Quaternion Orientation);

/// <summary>Linear and angular velocity (id 4).</summary>
[MessagePackObject, GeckoMessage(4)]
public sealed record Twist([property: Key(0)] Vector Linear, [property: Key(1)] Vector Angular);

/// <summary>An inertial measurement (id 10).</summary>
/// <param name="LinearAcceleration">Linear acceleration.</param>
/// <param name="AngularVelocity">Angular velocity.</param>
/// <param name="MagneticField">Magnetic field.</param>
/// <param name="Timestamp">Unix time in seconds.</param>
[MessagePackObject, GeckoMessage(10)]
public sealed record Imu(
    [property: Key(0)] Vector LinearAcceleration,
    [property: Key(1)] Vector AngularVelocity,
    [property: Key(2)] Vector MagneticField,
    [property: Key(3)] double Timestamp);

/// <summary>A joystick reading (id 11).</summary>
/// <param name="Axes">Axis positions.</param>
/// <param name="Buttons">Button states.</param>
/// <param name="Type">The joystick's kind, e.g. "ps4".</param>
/// <param name="Timestamp">Unix time in seconds.</param>
[MessagePackObject, GeckoMessage(11)]
public sealed record Joystick(
    [property: Key(0)] double[] Axes,
    [property: Key(1)] long[] Buttons,
    [property: Key(2)] string Type,
    [property: Key(3)] double Timestamp);

/// <summary>An image (id 12).</summary>
/// <param name="Shape">Dimensions, e.g. [rows, columns, channels].</param>
/// <param name="Bytes">Pixel data, raw or compressed.</param>
/// <param name="Compressed">Whether <paramref name="Bytes"/> is compressed (e.g. JPEG).</param>
/// <param name="Timestamp">Unix time in seconds.</param>
[MessagePackObject, GeckoMessage(12)]
public sealed record Image(
    [property: Key(0)] int[] Shape,
    [property: Key(1)] byte[] Bytes,
    [property: Key(2)] bool Compressed,
    [property: Key(3)] double Timestamp);

/// <summary>A lidar scan (id 20): rows of [angle, range].</summary>
/// <param name="Data">Scan points, each [angle in degrees, range].</param>
/// <param name="Timestamp">Unix time in seconds.</param>
[MessagePackObject, GeckoMessage(20)]
public sealed record Lidar([property: Key(0)] double[][] Data, [property: Key(1)] double Timestamp);

/// <summary>A log line on the <c>log</c> topic: a plain array [level, name, text], not an ext value.</summary>
/// <param name="Level">DEBUG, INFO, WARN or ERROR.</param>
/// <param name="Name">The node that logged it.</param>
/// <param name="Text">The message.</param>
[MessagePackObject]
public sealed record LogMessage([property: Key(0)] string Level, [property: Key(1)] string Name, [property: Key(2)] string Text)
{
    /// <summary>The levels pygecko uses, lowest first.</summary>
    public static readonly IReadOnlyList<string> Levels = ["DEBUG", "INFO", "WARN", "ERROR"];
}

/// <summary>An ext value whose type code no registered message has: kept as it came, re-encoded to the same bytes.</summary>
/// <param name="TypeCode">The ext type code.</param>
/// <param name="Data">The ext data.</param>
public sealed record RawExtension(sbyte TypeCode, byte[] Data);
