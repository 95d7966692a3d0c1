using System.Diagnostics;
using System.Text;
using Gecko.Launch.Bench.Endpoints;

namespace Gecko.Launch.Bench.Measurement;

/// <summary>One numbered stream of messages: sent by one publisher over some topics, expected by some subscribers.</summary>
/// <param name="Publisher">The publisher (thread) that sends it.</param>
/// <param name="Topics">Topics it cycles through.</param>
/// <param name="PayloadSizes">Payload size per topic.</param>
/// <param name="Targets">The subscribers that must receive every message of the stream.</param>
internal sealed record StreamSpec(int Publisher, string[] Topics, int[] PayloadSizes, int[] Targets);

/// <summary>Who publishes what to whom.</summary>
/// <param name="Publishers">Publisher threads.</param>
/// <param name="Streams">The streams, each with its own sequence numbers.</param>
/// <param name="SubscriberPrefixes">Each subscriber's subscriptions.</param>
/// <param name="RatePerPublisher">Messages per second per publisher, or null for as fast as the hub takes them.</param>
internal sealed record LoadSpec(int Publishers, IReadOnlyList<StreamSpec> Streams, IReadOnlyList<string[]> SubscriberPrefixes, double? RatePerPublisher = null);

/// <summary>What a flood measured in its window and in total.</summary>
/// <param name="Seconds">The measured window.</param>
/// <param name="Messages">Messages received by all subscribers in the window.</param>
/// <param name="Bytes">Payload bytes received in the window.</param>
/// <param name="Expected">Messages the subscribers should have received over the whole run (after the handshake).</param>
/// <param name="Received">Messages they did receive.</param>
/// <param name="OutOfOrder">Messages that arrived after a later one of the same stream.</param>
internal sealed record FloodResult(double Seconds, long Messages, long Bytes, long Expected, long Received, long OutOfOrder)
{
    /// <summary>Messages expected and never received.</summary>
    public long Lost => Math.Max(0, Expected - Received);

    /// <summary>Messages per second received in the window.</summary>
    public double MessagesPerSecond => Messages / Seconds;

    /// <summary>Payload megabytes (10^6 B) per second received in the window.</summary>
    public double MegabytesPerSecond => Bytes / Seconds / 1e6;
}

/// <summary>
/// Publishers and subscribers around a hub, measured honestly: every message carries its stream's sequence number, so
/// the subscribers count what actually arrived and what is missing (ZeroMQ drops silently at high-water marks).
/// Each stream keeps at most <c>window</c> messages in flight — enough not to slow the hub, few enough that no queue
/// overflows — so the rate is what the hub sustains, not what a publisher can push into a buffer.
/// </summary>
internal sealed class Flood : IDisposable
{
    private static readonly TimeSpan ReceivePoll = TimeSpan.FromMilliseconds(100);
    private readonly LoadSpec _spec;
    private readonly IEndpointFactory _endpoints;
    private readonly int[] _window;
    private readonly DeliveryCounter[] _counters;
    private readonly long[] _sent;
    private readonly long[] _bytes;
    private readonly Thread[] _publisherThreads;
    private readonly Thread[] _subscriberThreads;
    private readonly IBenchPublisher[] _publishers;
    private readonly IBenchSubscriber[] _subscribers;
    private readonly int[] _ready;
    private volatile bool _stopPublishers;
    private volatile bool _stopSubscribers;
    private Exception? _failure;

    /// <summary>Connects the endpoints to the hub; <see cref="Start"/> starts traffic.</summary>
    public Flood(LoadSpec spec, IEndpointFactory endpoints, string inAddress, string outAddress, long windowBytes, int windowMessages)
    {
        _spec = spec;
        _endpoints = endpoints;
        // The window is per subscriber: streams that share one (fan-in) share its window.
        var streamsPerSubscriber = spec.SubscriberPrefixes.Select((_, t) => Math.Max(1, spec.Streams.Count(s => s.Targets.Contains(t)))).ToArray();
        _window = spec.Streams.Select(s =>
        {
            var sharers = s.Targets.Length == 0 ? 1 : s.Targets.Max(t => streamsPerSubscriber[t]);
            return (int)Math.Clamp(Math.Min(windowMessages, windowBytes / Math.Max(1, s.PayloadSizes.Max())) / sharers, 4, windowMessages);
        }).ToArray();
        _counters = spec.SubscriberPrefixes.Select(_ => new DeliveryCounter(spec.Streams.Count)).ToArray();
        _sent = new long[spec.Streams.Count];
        _bytes = new long[spec.SubscriberPrefixes.Count];
        _ready = new int[spec.Publishers];
        _subscribers = spec.SubscriberPrefixes.Select(p => endpoints.Subscriber(outAddress, p)).ToArray();
        _publishers = Enumerable.Range(0, spec.Publishers).Select(_ => endpoints.Publisher(inAddress)).ToArray();
        _subscriberThreads = Enumerable.Range(0, _subscribers.Length).Select(i => new Thread(() => Guard(() => Subscribe(i))) { IsBackground = true, Name = $"bench-sub-{i}" }).ToArray();
        _publisherThreads = Enumerable.Range(0, spec.Publishers).Select(i => new Thread(() => Guard(() => Publish(i))) { IsBackground = true, Name = $"bench-pub-{i}" }).ToArray();
    }

    /// <summary>Messages received so far by all subscribers.</summary>
    public long Received => _counters.Sum(c => c.Received);

    private long BytesReceived
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _bytes.Length; i++) sum += Volatile.Read(ref _bytes[i]);
            return sum;
        }
    }

    /// <summary>Starts every thread and returns once each publisher's handshake reached its subscribers.</summary>
    /// <exception cref="BenchException">The handshake did not get through within <paramref name="timeout"/>.</exception>
    public void Start(TimeSpan timeout)
    {
        foreach (var thread in _subscriberThreads) thread.Start();
        foreach (var thread in _publisherThreads) thread.Start();
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!AllReady())
        {
            ThrowIfFailed();
            if (Stopwatch.GetTimestamp() > deadline)
                throw new BenchException($"no message got through the hub within {timeout.TotalSeconds:0} s (the subscribers' subscriptions never reached the publishers)");
            Thread.Sleep(5);
        }
    }

    private bool AllReady()
    {
        for (var i = 0; i < _ready.Length; i++)
            if (Volatile.Read(ref _ready[i]) == 0) return false;
        return true;
    }

    /// <summary>Lets traffic run for <paramref name="warmup"/>, then measures for <paramref name="duration"/> (or until <paramref name="messageCap"/> messages arrived).</summary>
    public (double Seconds, long Messages, long Bytes) Measure(TimeSpan warmup, TimeSpan duration, long? messageCap)
    {
        Thread.Sleep(warmup);
        ThrowIfFailed();
        var r0 = Received;
        var b0 = BytesReceived;
        var t0 = Stopwatch.GetTimestamp();
        while (true)
        {
            Thread.Sleep(10);
            var elapsed = Stopwatch.GetElapsedTime(t0);
            if (elapsed >= duration || (messageCap is { } cap && Received - r0 >= cap)) break;
            ThrowIfFailed();
        }
        var r1 = Received;
        var b1 = BytesReceived;
        var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        return (seconds, r1 - r0, b1 - b0);
    }

    /// <summary>Stops the publishers, waits for what is in flight (up to 10 s), stops the subscribers and returns the totals.</summary>
    public FloodResult Finish((double Seconds, long Messages, long Bytes) window)
    {
        _stopPublishers = true;
        foreach (var thread in _publisherThreads) thread.Join();
        long expected = 0;
        for (var s = 0; s < _spec.Streams.Count; s++) expected += _sent[s] * _spec.Streams[s].Targets.Length;

        // Drain: until everything expected arrived, or nothing more arrives for a second.
        var last = Received;
        var lastChange = Stopwatch.GetTimestamp();
        var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        while (!AllAccountedFor() && Stopwatch.GetTimestamp() < deadline)
        {
            Thread.Sleep(5);
            var now = Received;
            if (now != last)
            {
                last = now;
                lastChange = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastChange) > TimeSpan.FromSeconds(1)) break;
        }
        _stopSubscribers = true;
        foreach (var thread in _subscriberThreads) thread.Join();
        ThrowIfFailed();
        return new FloodResult(window.Seconds, window.Messages, window.Bytes, expected, Received, _counters.Sum(c => c.OutOfOrder));
    }

    private bool AllAccountedFor()
    {
        for (var s = 0; s < _spec.Streams.Count; s++)
            foreach (var target in _spec.Streams[s].Targets)
                if (_counters[target].NextExpected(s) < _sent[s]) return false;
        return true;
    }

    private void Publish(int index)
    {
        var publisher = _publishers[index];
        var streams = Enumerable.Range(0, _spec.Streams.Count).Where(s => _spec.Streams[s].Publisher == index).ToArray();
        var topics = streams.Select(s => _spec.Streams[s].Topics.Select(Encoding.UTF8.GetBytes).ToArray()).ToArray();
        var payloads = streams.Select(s => _spec.Streams[s].PayloadSizes.Select(BenchPayload.New).ToArray()).ToArray();
        var targets = streams.Select(s => _spec.Streams[s].Targets.Select(t => _counters[t]).ToArray()).ToArray();
        var next = new int[streams.Length];

        // Handshake: probes until every target of every stream has seen one (subscriptions travel asynchronously).
        while (!_stopPublishers)
        {
            var all = true;
            for (var i = 0; i < streams.Length; i++)
            {
                if (AllProbed(targets[i], streams[i])) continue;
                all = false;
                BenchPayload.Write(payloads[i][0], BenchPayload.Probe, streams[i], 0);
                publisher.Send(topics[i][0], payloads[i][0]);
            }
            if (all) break;
            Thread.Sleep(2);
        }
        Volatile.Write(ref _ready[index], 1);

        var paced = _spec.RatePerPublisher is { } rate ? rate : 0;
        var start = Stopwatch.GetTimestamp();
        long total = 0;
        var spin = new SpinWait();
        while (!_stopPublishers)
        {
            if (paced > 0)
            {
                var due = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * paced);
                if (total >= due)
                {
                    Thread.Sleep(1);
                    continue;
                }
            }
            var sentAny = false;
            for (var i = 0; i < streams.Length; i++)
            {
                var stream = streams[i];
                var sent = _sent[stream];
                // The window: a handful of comparisons every 16 messages, nothing per message.
                if ((sent & 15) == 0 && sent - MinNextExpected(targets[i], stream) >= _window[stream]) continue;
                var topic = next[i];
                next[i] = topic + 1 == topics[i].Length ? 0 : topic + 1;
                var payload = payloads[i][topic];
                BenchPayload.Write(payload, sent, stream, paced > 0 ? Stopwatch.GetTimestamp() : 0);
                publisher.Send(topics[i][topic], payload);
                Volatile.Write(ref _sent[stream], sent + 1);
                total++;
                sentAny = true;
            }
            if (sentAny) spin.Reset();
            else spin.SpinOnce(sleep1Threshold: 30);
        }
    }

    private static bool AllProbed(DeliveryCounter[] targets, int stream)
    {
        foreach (var target in targets)
            if (!target.HasProbeFrom(stream)) return false;
        return true;
    }

    private static long MinNextExpected(DeliveryCounter[] targets, int stream)
    {
        var min = long.MaxValue;
        foreach (var target in targets) min = Math.Min(min, target.NextExpected(stream));
        return min;
    }

    private void Subscribe(int index)
    {
        var subscriber = _subscribers[index];
        var counter = _counters[index];
        long bytes = 0;
        while (!_stopSubscribers)
        {
            if (!subscriber.TryReceive(ReceivePoll)) continue;
            var header = subscriber.Header;
            if (header.Length < BenchPayload.MinimumSize) continue;
            counter.Record(BenchPayload.Publisher(header), BenchPayload.Sequence(header));
            if (BenchPayload.Sequence(header) != BenchPayload.Probe)
            {
                bytes += subscriber.PayloadLength;
                Volatile.Write(ref _bytes[index], bytes);
            }
        }
    }

    private void Guard(Action work)
    {
        try
        {
            work();
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            _stopPublishers = true;
            _stopSubscribers = true;
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure) throw new BenchException($"a load generator failed: {failure.Message}");
    }

    /// <summary>Stops every thread (if still running) and closes the sockets.</summary>
    public void Dispose()
    {
        _stopPublishers = true;
        _stopSubscribers = true;
        foreach (var thread in _publisherThreads.Concat(_subscriberThreads))
            if (thread.IsAlive) thread.Join(TimeSpan.FromSeconds(5));
        foreach (var publisher in _publishers) publisher.Dispose();
        foreach (var subscriber in _subscribers) subscriber.Dispose();
    }
}
