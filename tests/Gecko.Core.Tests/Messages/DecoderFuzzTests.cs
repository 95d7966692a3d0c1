using System.Diagnostics;
using Gecko.Core.Introspection;
using Gecko.Core.Messages;
using Gecko.Core.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Gecko.Core.Tests.Messages;

/// <summary>
/// Bounded random input for everything that decodes untrusted MessagePack: random bytes, mutations of valid messages,
/// and hostile shapes (deep nesting, lengths announcing gigabytes). Each decoder answers with its own refusal
/// (<see cref="MessageDecodeException"/>, or false from a TryDecode) or a value, never another exception or a hang.
/// </summary>
public sealed class DecoderFuzzTests(ITestOutputHelper output)
{
    private const int RandomInputs = 100_000;
    private static readonly TimeSpan PerInput = TimeSpan.FromSeconds(5);

    private static readonly object[] Valid =
    [
        new Vector(1, 2, 3), new Quaternion(1, 0, 0, 0), new Twist(new Vector(1, 0, 0), new Vector(0, 0, 1)),
        new Pose(new Vector(1, 2, 3), new Quaternion(1, 0, 0, 0)), new Wrench(new Vector(1, 2, 3), new Vector(4, 5, 6)),
        new Imu(new Vector(0, 0, 9.8), new Vector(0, 0, 0), new Vector(1, 0, 0), 1700000000.5),
        new Joystick([0.5, -0.5], [1, 0], "ps4", 1700000000.5), new Image([2, 2, 3], new byte[12], false, 1700000000.5),
        new Lidar([[1, 0.5], [2, 0.25]], 1700000000.5), new LogMessage("INFO", "node", "text"),
    ];

    /// <summary>Every decoder of untrusted payloads on one input.</summary>
    private static void DecodeAll(byte[] payload)
    {
        try { GeckoSerializer.Decode(payload); } catch (MessageDecodeException) { }
        foreach (var message in Valid)
            GeckoSerializerTryDecode(message.GetType(), payload);
        ProcInfo.TryDecode(payload, out _);
        StatsQuery.TryDecode(payload, out _);
        StatsReport.TryDecode(payload, out _);
    }

    private static void GeckoSerializerTryDecode(Type type, byte[] payload)
    {
        var method = typeof(GeckoSerializer).GetMethod(nameof(GeckoSerializer.TryDecode))!.MakeGenericMethod(type);
        var arguments = new object?[] { new ReadOnlyMemory<byte>(payload), null, null };
        try
        {
            method.Invoke(null, arguments);
        }
        catch (System.Reflection.TargetInvocationException e)
        {
            throw new InvalidOperationException($"TryDecode<{type.Name}> threw on {Convert.ToHexString(payload[..Math.Min(64, payload.Length)])}", e.InnerException);
        }
    }

    /// <summary>Runs <see cref="DecodeAll"/> with a time limit; a failure names the input.</summary>
    private static void Check(byte[] payload)
    {
        var decoding = Task.Run(() => DecodeAll(payload));
        try
        {
            if (!decoding.Wait(PerInput)) throw new TimeoutException($"Decoding did not end within {PerInput}: {Convert.ToHexString(payload[..Math.Min(64, payload.Length)])}");
        }
        catch (AggregateException e)
        {
            throw new InvalidOperationException($"A decoder threw on {Convert.ToHexString(payload[..Math.Min(64, payload.Length)])}: {e.InnerException}", e.InnerException);
        }
    }

    [Fact]
    public void Decoders_RandomAndMutatedInput_RefuseOrDecodeNeverThrowOtherwise()
    {
        var random = new Random(8);
        var valid = Valid.Select(GeckoSerializer.Encode).ToArray();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < RandomInputs; i++)
        {
            byte[] payload;
            if (i % 2 == 0)
            {
                payload = new byte[random.Next(0, 64)];
                random.NextBytes(payload);
            }
            else
            {
                // A valid message with one to four bytes changed, cut short or lengthened.
                var source = valid[random.Next(valid.Length)];
                payload = random.Next(4) switch
                {
                    0 => source[..random.Next(source.Length)],
                    1 => [.. source, .. new byte[random.Next(1, 8)]],
                    _ => (byte[])source.Clone(),
                };
                for (var n = random.Next(1, 5); n > 0 && payload.Length > 0; n--) payload[random.Next(payload.Length)] = (byte)random.Next(256);
            }
            // In-line for speed; the hostile shapes below get the time limit.
            DecodeAll(payload);
        }
        output.WriteLine($"{RandomInputs:N0} random and mutated payloads through {Valid.Length + 4} decoders in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    public static TheoryData<string, byte[]> Hostile() => new()
    {
        { "arrays nested 100 000 deep", Enumerable.Repeat((byte)0x91, 100_000).Append((byte)0x00).ToArray() },
        { "maps nested 100 000 deep", Enumerable.Range(0, 100_000).SelectMany(_ => new byte[] { 0x81, 0xA1, 0x6B }).Append((byte)0x00).ToArray() },
        { "an ext nesting arrays deep", new byte[] { 0xC9, 0x00, 0x01, 0x86, 0xA0, 0x0A }.Concat(Enumerable.Repeat((byte)0x91, 100_000)).ToArray() },
        { "an array announcing 4 billion elements", [0xDD, 0xFF, 0xFF, 0xFF, 0xFF, 0x00] },
        { "a map announcing 4 billion pairs", [0xDF, 0xFF, 0xFF, 0xFF, 0xFF, 0xA1, 0x61] },
        { "a binary announcing 4 GB", [0xC6, 0xFF, 0xFF, 0xFF, 0xFF, 0x00] },
        { "a string announcing 4 GB", [0xDB, 0xFF, 0xFF, 0xFF, 0xFF, 0x61] },
        { "an ext announcing 4 GB", [0xC9, 0xFF, 0xFF, 0xFF, 0xFF, 0x0A] },
        { "a registration with an array of a billion", [0x81, 0xA9, .. "proc_info"u8, 0xDD, 0x3B, 0x9A, 0xCA, 0x00] },
        { "the never-used byte", [0xC1] },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Decoders_HostileShape_RefuseWithinTheTimeLimit(string shape, byte[] payload)
    {
        Assert.False(string.IsNullOrEmpty(shape));
        Check(payload);
        Assert.Throws<MessageDecodeException>(() => GeckoSerializer.Decode(payload));
    }
}
