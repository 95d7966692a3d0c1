using BenchmarkDotNet.Attributes;
using Gecko.Core.Messages;

namespace Gecko.Benchmarks.Messages;

/// <summary>Encoding and decoding each standard message as pygecko's MessagePack (what the hub does for external subscribers of in-process topics, and nodes for their subscriptions).</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private static readonly Vector Accel = new(0.1, -0.2, 9.81);

    private static readonly Dictionary<string, object> Samples = new()
    {
        ["vector"] = Accel,
        ["quaternion"] = new Quaternion(1, 0, 0, 0),
        ["wrench"] = new Wrench(Accel, new Vector(0, 0, 0.5)),
        ["pose"] = new Pose(Accel, new Quaternion(0.7071, 0, 0.7071, 0)),
        ["twist"] = new Twist(new Vector(0.5, 0, 0), new Vector(0, 0, 0.1)),
        ["imu"] = new Imu(Accel, new Vector(0, 0, 0.1), new Vector(20, -5, 40), 1_700_000_000.25),
        ["joystick"] = new Joystick([0.1, -0.5, 0, 1], [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0], "ps4", 1_700_000_000.25),
        ["image-640x480"] = new Image([480, 640, 3], new byte[480 * 640 * 3], false, 1_700_000_000.25),
        ["lidar-360"] = new Lidar(Enumerable.Range(0, 360).Select(a => new[] { (double)a, 1.5 + a % 7 }).ToArray(), 1_700_000_000.25),
        ["log"] = new LogMessage("INFO", "talker", "hello from the talker"),
    };

    private object _message = null!;
    private ReadOnlyMemory<byte> _payload;

    [ParamsSource(nameof(Types))]
    public string Type { get; set; } = "";

    public static IEnumerable<string> Types => Samples.Keys;

    [GlobalSetup]
    public void Setup()
    {
        _message = Samples[Type];
        _payload = GeckoSerializer.Encode(_message);
    }

    [Benchmark]
    public byte[] Encode() => GeckoSerializer.Encode(_message);

    [Benchmark]
    public object? Decode() => GeckoSerializer.Decode(_payload);
}
