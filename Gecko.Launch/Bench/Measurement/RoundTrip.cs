using System.Diagnostics;
using System.Text;
using Gecko.Launch.Bench.Endpoints;

namespace Gecko.Launch.Bench.Measurement;

/// <summary>What a round-trip run measured.</summary>
/// <param name="Latency">Percentiles of the round trips in the window.</param>
/// <param name="Sent">Pings sent after the handshake.</param>
/// <param name="Returned">Pongs that came back.</param>
internal sealed record RoundTripResult(LatencySummary? Latency, long Sent, long Returned)
{
    /// <summary>Pings that never came back.</summary>
    public long Lost => Math.Max(0, Sent - Returned);
}

/// <summary>
/// Round trips through a hub at a fixed rate: a ping goes out on one topic, an echo endpoint subscribed to it publishes
/// the same payload on another, and the pinger's own subscriber takes the time from the send stamp in the payload —
/// one clock, two passes through the hub.
/// </summary>
internal sealed class RoundTrip : IDisposable
{
    private const int PayloadSize = 64;
    private static readonly TimeSpan ReceivePoll = TimeSpan.FromMilliseconds(100);
    private readonly byte[] _pingTopic;
    private readonly byte[] _pongTopic;
    private readonly double _rate;
    private readonly IBenchPublisher _pinger;
    private readonly IBenchSubscriber _echoIn;
    private readonly IBenchPublisher _echoOut;
    private readonly IBenchSubscriber _ponger;
    private readonly LatencySamples _samples;
    private readonly Thread[] _threads;
    private readonly DeliveryCounter _returned = new(1);
    private long _sent;
    private long _measureFrom = long.MaxValue;
    private long _measureTo = long.MaxValue;
    private volatile bool _handshaken;
    private volatile bool _stopPinger;
    private volatile bool _stop;
    private Exception? _failure;

    /// <summary>
    /// Connects the pinger, echo and ponger to the hub; the echo to another hub when <paramref name="echoInAddress"/> and
    /// <paramref name="echoOutAddress"/> are given (a round trip between two cluster hosts).
    /// </summary>
    public RoundTrip(IEndpointFactory endpoints, string inAddress, string outAddress, string topicPrefix, double rate, TimeSpan maxDuration,
        string? echoInAddress = null, string? echoOutAddress = null)
    {
        _pingTopic = Encoding.UTF8.GetBytes(topicPrefix + ".ping");
        _pongTopic = Encoding.UTF8.GetBytes(topicPrefix + ".pong");
        _rate = rate;
        _samples = new LatencySamples((int)Math.Min(10_000_000, rate * maxDuration.TotalSeconds * 1.2 + 1000));
        _echoIn = endpoints.Subscriber(echoOutAddress ?? outAddress, topicPrefix + ".ping");
        _ponger = endpoints.Subscriber(outAddress, topicPrefix + ".pong");
        _echoOut = endpoints.Publisher(echoInAddress ?? inAddress);
        _pinger = endpoints.Publisher(inAddress);
        _threads =
        [
            new Thread(() => Guard(Echo)) { IsBackground = true, Name = "bench-echo" },
            new Thread(() => Guard(Pong)) { IsBackground = true, Name = "bench-pong" },
            new Thread(() => Guard(Ping)) { IsBackground = true, Name = "bench-ping" },
        ];
    }

    /// <summary>Starts the threads and returns once a probe has made the whole round trip.</summary>
    public void Start(TimeSpan timeout)
    {
        foreach (var thread in _threads) thread.Start();
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!_handshaken)
        {
            ThrowIfFailed();
            if (Stopwatch.GetTimestamp() > deadline)
                throw new BenchException($"no ping came back through the hub within {timeout.TotalSeconds:0} s");
            Thread.Sleep(5);
        }
    }

    /// <summary>Pings for <paramref name="warmup"/>, then records round trips of pings sent during <paramref name="duration"/>.</summary>
    public RoundTripResult Measure(TimeSpan warmup, TimeSpan duration)
    {
        Thread.Sleep(warmup);
        Volatile.Write(ref _measureFrom, Stopwatch.GetTimestamp());
        Thread.Sleep(duration);
        Volatile.Write(ref _measureTo, Stopwatch.GetTimestamp());
        _stopPinger = true;
        _threads[2].Join();
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        while (_returned.NextExpected(0) < Volatile.Read(ref _sent) && Stopwatch.GetTimestamp() < deadline) Thread.Sleep(5);
        _stop = true;
        foreach (var thread in _threads) thread.Join();
        ThrowIfFailed();
        return new RoundTripResult(_samples.Summarize(), Volatile.Read(ref _sent), _returned.Received);
    }

    private void Ping()
    {
        var payload = BenchPayload.New(PayloadSize);
        while (!_handshaken && !_stopPinger)
        {
            BenchPayload.Write(payload, BenchPayload.Probe, 0, 0);
            _pinger.Send(_pingTopic, payload);
            Thread.Sleep(2);
        }
        var start = Stopwatch.GetTimestamp();
        long sent = 0;
        while (!_stopPinger)
        {
            var due = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * _rate);
            while (sent < due && !_stopPinger)
            {
                BenchPayload.Stamp(payload, sent, 0);
                _pinger.Send(_pingTopic, payload);
                Volatile.Write(ref _sent, ++sent);
            }
            // A fixed, moderate rate: sleep between due times rather than spin a core away from the hub.
            Thread.Sleep(1);
        }
    }

    private void Echo()
    {
        var payload = new byte[BenchPayload.HeaderSize];
        while (!_stop)
        {
            if (!_echoIn.TryReceive(ReceivePoll)) continue;
            var header = _echoIn.Header;
            header.CopyTo(payload);
            _echoOut.Send(_pongTopic, payload.AsSpan(0, header.Length));
        }
    }

    private void Pong()
    {
        while (!_stop)
        {
            if (!_ponger.TryReceive(ReceivePoll)) continue;
            var now = Stopwatch.GetTimestamp();
            var header = _ponger.Header;
            if (header.Length < BenchPayload.MinimumSize) continue;
            var sequence = BenchPayload.Sequence(header);
            if (sequence == BenchPayload.Probe)
            {
                _handshaken = true;
                continue;
            }
            _returned.Record(0, sequence);
            var sentAt = BenchPayload.Timestamp(header);
            if (sentAt >= Volatile.Read(ref _measureFrom) && sentAt < Volatile.Read(ref _measureTo)) _samples.Add(now - sentAt);
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
            _stopPinger = true;
            _stop = true;
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure) throw new BenchException($"a load generator failed: {failure.Message}");
    }

    /// <summary>Stops the threads (if still running) and closes the sockets.</summary>
    public void Dispose()
    {
        _stopPinger = true;
        _stop = true;
        foreach (var thread in _threads)
            if (thread.IsAlive) thread.Join(TimeSpan.FromSeconds(5));
        _pinger.Dispose();
        _echoIn.Dispose();
        _echoOut.Dispose();
        _ponger.Dispose();
    }
}
