using System.Diagnostics;

namespace Gecko.Launch.Tests.Reliability;

/// <summary>The numbers a subscriber received, with the time each arrived.</summary>
internal sealed class Arrivals
{
    private readonly object _gate = new();
    private readonly List<(long Number, long At)> _arrivals = [];
    private bool _inOrder = true;

    public void Add(long number)
    {
        lock (_gate)
        {
            if (_arrivals.Count > 0 && number <= _arrivals[^1].Number) _inOrder = false;
            _arrivals.Add((number, Stopwatch.GetTimestamp()));
        }
    }

    public int Count
    {
        get
        {
            lock (_gate) return _arrivals.Count;
        }
    }

    public long Last
    {
        get
        {
            lock (_gate) return _arrivals.Count == 0 ? -1 : _arrivals[^1].Number;
        }
    }

    public bool InOrder
    {
        get
        {
            lock (_gate) return _inOrder;
        }
    }

    public HashSet<long> Numbers()
    {
        lock (_gate) return [.. _arrivals.Select(a => a.Number)];
    }

    /// <summary>Seconds from <paramref name="since"/>'s start to the first arrival after it.</summary>
    public double FirstArrivalAfter(long since) => SecondsAfter(since, _ => true);

    /// <summary>Seconds from <paramref name="since"/>'s start to the arrival of the first number at or above <paramref name="number"/>.</summary>
    public double FirstArrivalOf(long number, long since) => SecondsAfter(since, a => a.Number >= number);

    private double SecondsAfter(long start, Func<(long Number, long At), bool> match)
    {
        lock (_gate)
        {
            foreach (var arrival in _arrivals)
            {
                if (arrival.At >= start && match(arrival)) return Stopwatch.GetElapsedTime(start, arrival.At).TotalSeconds;
            }
        }
        return double.NaN;
    }
}
