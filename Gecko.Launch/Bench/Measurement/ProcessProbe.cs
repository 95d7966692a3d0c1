using System.Diagnostics;

namespace Gecko.Launch.Bench.Measurement;

/// <summary>Reads another process's resident memory and CPU time (from /proc, through <see cref="Process"/>).</summary>
public sealed class ProcessProbe(int pid)
{
    /// <summary>The process id.</summary>
    public int Pid => pid;

    /// <summary>Resident set size now, in bytes; -1 when the process is gone.</summary>
    public long ResidentBytes() => Read(p => p.WorkingSet64);

    /// <summary>The largest resident set size so far (VmHWM), in bytes; -1 when the process is gone.</summary>
    public long PeakResidentBytes() => Read(p => p.PeakWorkingSet64);

    /// <summary>User plus system CPU time so far; <see cref="TimeSpan.Zero"/> when the process is gone.</summary>
    public TimeSpan CpuTime()
    {
        var ticks = Read(p => p.TotalProcessorTime.Ticks);
        return ticks < 0 ? TimeSpan.Zero : TimeSpan.FromTicks(ticks);
    }

    private long Read(Func<Process, long> read)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Refresh();
            return read(process);
        }
        catch (ArgumentException) { return -1; }
        catch (InvalidOperationException) { return -1; }
    }
}
