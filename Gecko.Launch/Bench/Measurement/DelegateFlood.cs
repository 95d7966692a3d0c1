using System.Diagnostics;

namespace Gecko.Launch.Bench.Measurement;

/// <summary>
/// A flood whose publisher is a delegate (an actor Tell, a socket send) and whose subscribers record into
/// <see cref="DeliveryCounter"/>s themselves (actors), or through receive loops this class runs on threads (sockets).
/// The same honesty as <see cref="Flood"/>: sequence numbers, a window of messages in flight, a warm-up.
/// </summary>
internal sealed class DelegateFlood : IDisposable
{
    private readonly Action<long> _publish;
    private readonly DeliveryCounter[] _counters;
    private readonly int _window;
    private readonly double _rate;
    private readonly Thread _publisher;
    private readonly Thread[] _receivers;
    private volatile bool _stopPublisher;
    private volatile bool _stopReceivers;
    private volatile bool _ready;
    private long _sent;
    private Exception? _failure;

    /// <summary>
    /// <paramref name="publish"/> sends the message with the given sequence number (<see cref="Endpoints.BenchPayload.Probe"/>
    /// for a handshake probe) as stream 0; <paramref name="receivers"/> are loops that receive until their argument says stop.
    /// </summary>
    public DelegateFlood(Action<long> publish, DeliveryCounter[] counters, int window, double rate = 0, IReadOnlyList<Action<Func<bool>>>? receivers = null)
    {
        _publish = publish;
        _counters = counters;
        _window = window;
        _rate = rate;
        _publisher = new Thread(() => Guard(Publish)) { IsBackground = true, Name = "bench-publisher" };
        _receivers = (receivers ?? []).Select((r, i) => new Thread(() => Guard(() => r(() => _stopReceivers))) { IsBackground = true, Name = $"bench-receiver-{i}" }).ToArray();
    }

    /// <summary>Messages received by all subscribers.</summary>
    public long Received => _counters.Sum(c => c.Received);

    /// <summary>Starts the threads; returns once a probe reached every subscriber.</summary>
    public void Start(TimeSpan timeout)
    {
        foreach (var receiver in _receivers) receiver.Start();
        _publisher.Start();
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!_ready)
        {
            ThrowIfFailed();
            if (Stopwatch.GetTimestamp() > deadline) throw new BenchException($"no message reached the subscribers within {timeout.TotalSeconds:0} s");
            Thread.Sleep(5);
        }
    }

    /// <summary>Warms up, then measures (seconds, messages received in the window).</summary>
    public (double Seconds, long Messages) Measure(TimeSpan warmup, TimeSpan duration, long? messageCap)
    {
        Thread.Sleep(warmup);
        ThrowIfFailed();
        var r0 = Received;
        var t0 = Stopwatch.GetTimestamp();
        // A window that saw no delivery yet is extended, up to 5 s: on a starved machine a short window can pass before
        // the publisher's and the nodes' threads ran at all, and a rate of 0 would say the path is broken.
        var extended = duration + TimeSpan.FromSeconds(5);
        while ((Stopwatch.GetElapsedTime(t0) < duration || (Received == r0 && Stopwatch.GetElapsedTime(t0) < extended))
               && !(messageCap is { } cap && Received - r0 >= cap))
        {
            Thread.Sleep(10);
            ThrowIfFailed();
        }
        var r1 = Received;
        return (Stopwatch.GetElapsedTime(t0).TotalSeconds, r1 - r0);
    }

    /// <summary>Stops publishing, waits up to 10 s for what is in flight; returns (expected, received) over the whole run.</summary>
    public (long Expected, long Received, long OutOfOrder) Finish()
    {
        _stopPublisher = true;
        _publisher.Join();
        var sent = Volatile.Read(ref _sent);
        var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        var last = Received;
        var lastChange = Stopwatch.GetTimestamp();
        while (_counters.Any(c => c.NextExpected(0) < sent) && Stopwatch.GetTimestamp() < deadline)
        {
            Thread.Sleep(5);
            if (Received != last)
            {
                last = Received;
                lastChange = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastChange) > TimeSpan.FromSeconds(1)) break;
        }
        _stopReceivers = true;
        foreach (var receiver in _receivers) receiver.Join();
        ThrowIfFailed();
        return (sent * _counters.Length, Received, _counters.Sum(c => c.OutOfOrder));
    }

    private void Publish()
    {
        while (!_stopPublisher && !_counters.All(c => c.HasProbeFrom(0)))
        {
            _publish(Endpoints.BenchPayload.Probe);
            Thread.Sleep(2);
        }
        _ready = true;
        var spin = new SpinWait();
        var start = Stopwatch.GetTimestamp();
        long sent = 0;
        while (!_stopPublisher)
        {
            if (_rate > 0 && sent >= (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * _rate))
            {
                Thread.Sleep(1);
                continue;
            }
            if ((sent & 15) == 0 && sent - MinNextExpected() >= _window)
            {
                spin.SpinOnce(sleep1Threshold: 30);
                continue;
            }
            spin.Reset();
            _publish(sent);
            Volatile.Write(ref _sent, ++sent);
        }
    }

    private long MinNextExpected()
    {
        var min = long.MaxValue;
        foreach (var counter in _counters) min = Math.Min(min, counter.NextExpected(0));
        return min;
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
            _stopPublisher = true;
            _stopReceivers = true;
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure) throw new BenchException($"a load generator failed: {failure.Message}");
    }

    /// <summary>Stops the threads if they still run.</summary>
    public void Dispose()
    {
        _stopPublisher = true;
        _stopReceivers = true;
        if (_publisher.IsAlive) _publisher.Join(TimeSpan.FromSeconds(5));
        foreach (var receiver in _receivers)
            if (receiver.IsAlive) receiver.Join(TimeSpan.FromSeconds(5));
    }
}
