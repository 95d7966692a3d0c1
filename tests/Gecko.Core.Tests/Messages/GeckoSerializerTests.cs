using System.Text.Json;
using Gecko.Core.Messages;
using MessagePack;
using Xunit;

namespace Gecko.Core.Tests.Messages;

public class GeckoSerializerTests
{
    private static Vector V(JsonElement e) => new(e[0].GetDouble(), e[1].GetDouble(), e[2].GetDouble());

    private static Quaternion Q(JsonElement e) => new(e[0].GetDouble(), e[1].GetDouble(), e[2].GetDouble(), e[3].GetDouble());

    /// <summary>The typed message each reference vector's fields describe, built from the JSON, not from the bytes.</summary>
    internal static object Expected(string name)
    {
        var f = ReferenceVectors.Get(name).Fields;
        return name switch
        {
            "vector" => V(f),
            "quaternion" => Q(f),
            "wrench" => new Wrench(V(f[0]), V(f[1])),
            "pose" => new Pose(V(f[0]), Q(f[1])),
            "twist" => new Twist(V(f[0]), V(f[1])),
            "imu" => new Imu(V(f[0]), V(f[1]), V(f[2]), f[3].GetDouble()),
            "joystick" => new Joystick(f[0].EnumerateArray().Select(a => a.GetDouble()).ToArray(),
                f[1].EnumerateArray().Select(b => b.GetInt64()).ToArray(), f[2].GetString()!, f[3].GetDouble()),
            "image" => new Image(f[0].EnumerateArray().Select(s => s.GetInt32()).ToArray(), Convert.FromHexString(f[1].GetString()!),
                f[2].GetBoolean(), f[3].GetDouble()),
            "lidar" => new Lidar(f[0].EnumerateArray().Select(p => p.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray(), f[1].GetDouble()),
            "log" => new LogMessage(f[0].GetString()!, f[1].GetString()!, f[2].GetString()!),
            _ => throw new ArgumentException(name),
        };
    }

    public static TheoryData<string> TypedNames => new() { "vector", "quaternion", "wrench", "pose", "twist", "imu", "joystick", "image", "lidar", "log" };

    [Theory]
    [MemberData(nameof(TypedNames))]
    public void Encode_StandardMessage_MatchesPygeckoBytes(string name)
    {
        var bytes = GeckoSerializer.Encode(Expected(name));

        Assert.Equal(Convert.ToHexString(ReferenceVectors.Get(name).Bytes), Convert.ToHexString(bytes));
    }

    [Theory]
    [MemberData(nameof(TypedNames))]
    public void Decode_PygeckoBytes_GivesTypedMessageWithEqualFields(string name)
    {
        var reference = ReferenceVectors.Get(name);

        var decoded = GeckoSerializer.Decode(reference.Bytes);

        Assert.NotNull(decoded);
        Assert.Equal(Expected(name).GetType(), name == "log" ? typeof(LogMessage) : decoded.GetType());
        // Re-encoding what was decoded gives pygecko's bytes again: every field survived.
        var typed = name == "log" ? GeckoSerializer.Decode<LogMessage>(reference.Bytes) : decoded;
        Assert.Equal(reference.Bytes, GeckoSerializer.Encode(typed));
    }

    [Fact]
    public void DecodeT_Imu_FieldsEqualReference()
    {
        var imu = GeckoSerializer.Decode<Imu>(ReferenceVectors.Get("imu").Bytes);

        Assert.Equal(new Vector(0, 0, 9.81), imu.LinearAcceleration);
        Assert.Equal(new Vector(0.01, 0.02, 0.03), imu.AngularVelocity);
        Assert.Equal(new Vector(20, -5, 40), imu.MagneticField);
        Assert.Equal(1537100000.25, imu.Timestamp);
    }

    [Fact]
    public void Decode_UnknownExtId_RoundTripsToSameBytes()
    {
        var bytes = Convert.FromHexString("c70563" + "0102030405"); // ext 99, nobody registered it

        var decoded = Assert.IsType<RawExtension>(GeckoSerializer.Decode(bytes));

        Assert.Equal(99, decoded.TypeCode);
        Assert.Equal(bytes, GeckoSerializer.Encode(decoded));
    }

    [Theory]
    [InlineData("plain-map")]
    [InlineData("core_info")]
    public void Decode_PlainValue_RoundTripsToSameBytes(string name)
    {
        var bytes = ReferenceVectors.Get(name).Bytes;

        var decoded = GeckoSerializer.Decode(bytes);

        Assert.IsType<Dictionary<object, object>>(decoded);
        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(GeckoSerializer.Encode(decoded!)));
    }

    [Fact]
    public void Decode_Truncated_ThrowsDecodeError()
    {
        var bytes = ReferenceVectors.Get("imu").Bytes;

        var error = Assert.Throws<MessageDecodeException>(() => GeckoSerializer.Decode<Imu>(bytes.AsMemory(0, bytes.Length - 3)));

        Assert.Contains("Imu", error.Message);
    }

    [Fact]
    public void Decode_Garbage_ThrowsDecodeErrorNotCrash()
    {
        var random = new Random(7);
        var failures = 0;
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            try
            {
                GeckoSerializer.Decode(bytes);
            }
            catch (MessageDecodeException)
            {
                failures++;
            }
        }
        Assert.True(failures > 0);
    }

    private static readonly System.Reflection.MethodInfo DecodeTyped =
        typeof(GeckoSerializer).GetMethods().Single(m => m.Name == nameof(GeckoSerializer.Decode) && m.IsGenericMethod);

    /// <summary>Decodes as the message type of <paramref name="name"/>, as a typed subscriber does.</summary>
    private static object? DecodeAs(string name, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return DecodeTyped.MakeGenericMethod(Expected(name).GetType()).Invoke(null, [bytes]);
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    [Theory]
    [MemberData(nameof(TypedNames))]
    public void Decode_EveryTruncationOfAStandardMessage_IsADecodeErrorNamingTheType(string name)
    {
        var bytes = ReferenceVectors.Get(name).Bytes;
        var type = Expected(name).GetType().Name;

        for (var length = 0; length < bytes.Length; length++)
        {
            var typed = Assert.Throws<MessageDecodeException>(() => DecodeAs(name, bytes.AsMemory(0, length)));
            Assert.Contains(type, typed.Message);
            Assert.Throws<MessageDecodeException>(() => GeckoSerializer.Decode(bytes.AsMemory(0, length)));
        }
    }

    [Theory]
    [MemberData(nameof(TypedNames))]
    public void Decode_CorruptedStandardMessage_DecodesOrIsADecodeErrorNeverAnotherException(string name)
    {
        var reference = ReferenceVectors.Get(name).Bytes;
        var random = new Random(name.Aggregate(17, (hash, c) => unchecked((hash * 31) + c))); // the same corruptions every run
        for (var i = 0; i < 500; i++)
        {
            var bytes = (byte[])reference.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            try
            {
                DecodeAs(name, bytes);
            }
            catch (MessageDecodeException)
            {
                // The documented error; anything else fails the test.
            }
        }
    }

    [Fact]
    public void DecodeT_WrongType_SaysWhatItGot()
    {
        var error = Assert.Throws<MessageDecodeException>(() => GeckoSerializer.Decode<Twist>(ReferenceVectors.Get("imu").Bytes));

        Assert.Contains("Imu", error.Message);
        Assert.Contains("Twist", error.Message);
    }

    [Fact]
    public void Decode_TrailingBytes_IsAnError()
    {
        var bytes = ReferenceVectors.Get("vector").Bytes.Append((byte)0xc0).ToArray();

        Assert.Throws<MessageDecodeException>(() => GeckoSerializer.Decode(bytes));
    }

    [Fact]
    public void TryDecode_Garbage_ReturnsFalseWithReason()
    {
        Assert.False(GeckoSerializer.TryDecode<Pose>(new byte[] { 0xc1 }, out var pose, out var error));
        Assert.Null(pose);
        Assert.False(string.IsNullOrEmpty(error));
    }
}

[MessagePackObject, GeckoMessage(42)]
public sealed record Battery([property: Key(0)] double Volts, [property: Key(1)] double Percent);

[MessagePackObject, GeckoMessage(3)]
public sealed record Impostor([property: Key(0)] double Value);

[GeckoMessage(50)]
public sealed record NotMessagePack(double Value);

public class MessageRegistryTests
{
    [Fact]
    public void Register_UserType_EncodesAsExtAndDecodesTyped()
    {
        MessageRegistry.Register<Battery>();

        var bytes = GeckoSerializer.Encode(new Battery(12.5, 80));

        Assert.Equal(0xc7, bytes[0]); // ext 8
        Assert.Equal(42, (sbyte)bytes[2]);
        Assert.Equal(new Battery(12.5, 80), GeckoSerializer.Decode(bytes));
        Assert.Equal(new Battery(12.5, 80), GeckoSerializer.Decode<Battery>(bytes));
    }

    [Fact]
    public void Register_StandardId_IsRefusedWithAdvice()
    {
        var error = Assert.Throws<ArgumentException>(() => MessageRegistry.Register<Impostor>());

        Assert.Contains("32", error.Message);
    }

    [Fact]
    public void Register_WithoutMessagePackObject_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => MessageRegistry.Register<NotMessagePack>());

        Assert.Contains("MessagePackObject", error.Message);
    }
}
