using System.ComponentModel;
using System.Diagnostics;

namespace Gecko.Core.Monitoring.Internal;

/// <summary>
/// Where there is no proc filesystem: what <see cref="Process"/> gives. No owner (a process the hub may not read is
/// refused as unreadable) and no per-process sockets.
/// </summary>
internal sealed class PortableProcessProbe : IProcessProbe
{
    public static PortableProcessProbe Instance { get; } = new();

    public ProcessReading? TryRead(int pid)
    {
        if (pid <= 0) return null;
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return null;
            return new ProcessReading(pid, process.ProcessName, process.StartTime.ToUniversalTime().Ticks, process.TotalProcessorTime.TotalSeconds,
                process.WorkingSet64, process.Threads.Count, null, false);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Win32Exception or NotSupportedException)
        {
            return null; // gone, or not ours to read
        }
    }

    public long MemoryTotalBytes() => Math.Max(1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

    public IReadOnlyList<TcpConnection> TcpConnections(int pid) => [];
}
