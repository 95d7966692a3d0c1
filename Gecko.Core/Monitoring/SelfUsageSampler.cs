using System.Diagnostics;
using Gecko.Core.Routing;

namespace Gecko.Core.Monitoring;

/// <summary>The CPU and memory of the current process between two samples, as psutil's <c>cpu_percent</c> reports it.</summary>
public sealed class SelfUsageSampler
{
    private TimeSpan _lastCpu;
    private long _lastTimestamp;

    /// <summary>Starts the first interval now.</summary>
    public SelfUsageSampler()
    {
        using var self = Process.GetCurrentProcess();
        _lastCpu = self.TotalProcessorTime;
        _lastTimestamp = Stopwatch.GetTimestamp();
    }

    /// <summary>Usage since the previous call (or construction).</summary>
    public ProcessUsage Sample()
    {
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var now = Stopwatch.GetTimestamp();
        var wall = Stopwatch.GetElapsedTime(_lastTimestamp, now);
        var percent = wall > TimeSpan.Zero ? 100.0 * (cpu - _lastCpu).TotalSeconds / wall.TotalSeconds : 0;
        _lastCpu = cpu;
        _lastTimestamp = now;
        var rss = self.WorkingSet64;
        return new ProcessUsage(Math.Max(0, percent), 100.0 * rss / MachineMemory.TotalBytes, rss);
    }
}

/// <summary>The machine's physical memory, read once.</summary>
public static class MachineMemory
{
    private static readonly Lazy<long> Total = new(ReadTotal);

    /// <summary>Total physical memory in bytes (MemTotal of /proc/meminfo on Linux).</summary>
    public static long TotalBytes => Total.Value;

    private static long ReadTotal()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && long.TryParse(parts[1], out var kb)) return kb * 1024;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Math.Max(1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }
}
