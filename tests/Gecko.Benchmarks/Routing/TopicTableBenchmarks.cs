using System.Text;
using BenchmarkDotNet.Attributes;
using Gecko.Core.Routing;

namespace Gecko.Benchmarks.Routing;

/// <summary>What the bridge does per message besides moving frames: find the topic by its wire bytes and count it.</summary>
[MemoryDiagnoser]
public class TopicTableBenchmarks
{
    private readonly TopicRegistry _registry = new(10_000);
    private readonly HubCounters _hubCounters = new();
    private byte[][] _frames = [];
    private TopicCounters _counters = null!;
    private int _next;

    [Params(1, 100, 5000)]
    public int Topics { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frames = Enumerable.Range(0, Topics).Select(i => Encoding.UTF8.GetBytes($"robot/sensors/camera_{i:0000}/image")).ToArray();
        foreach (var frame in _frames) _registry.TryAdd(frame, out _, out _);
        _registry.TryGet(_frames[0], out _counters);
    }

    /// <summary>The lookup by span the bridge does for every message (no allocation).</summary>
    [Benchmark]
    public bool LookupByWireBytes()
    {
        var frame = _frames[_next];
        _next = _next + 1 == _frames.Length ? 0 : _next + 1;
        return _registry.TryGet(frame.AsSpan(), out _);
    }

    /// <summary>Lookup by name (in-process publishers).</summary>
    [Benchmark]
    public TopicCounters LookupByName() => _registry.GetOrAdd("robot/sensors/camera_0000/image");

    /// <summary>Counting one message from outside.</summary>
    [Benchmark]
    public void CountExternal() => _counters.CountExternal(64);

    /// <summary>Counting one malformed message.</summary>
    [Benchmark]
    public void CountMalformed() => _hubCounters.CountMalformed(MalformedReason.BadTopic);
}
