namespace Gecko.Core.Monitoring.Internal;

/// <summary>One reading of a process: cumulative counters the monitor turns into rates.</summary>
/// <param name="Pid">The process id.</param>
/// <param name="Command">The executable's name as the system knows it.</param>
/// <param name="StartTime">When the process started, in the probe's own unit: with the pid, it names one process, so a reused pid is noticed.</param>
/// <param name="CpuSeconds">User plus system CPU time since the process started.</param>
/// <param name="ResidentBytes">Resident set size.</param>
/// <param name="Threads">Threads of the process.</param>
/// <param name="Uid">The real user id of its owner, where the system tells it.</param>
/// <param name="IsKernelThread">A kernel thread: it has a pid but is never a node.</param>
internal sealed record ProcessReading(
    int Pid, string Command, long StartTime, double CpuSeconds, long ResidentBytes, int Threads, int? Uid, bool IsKernelThread);

/// <summary>Reads processes and sockets of this machine; every call may block (file system) and never throws for a missing process.</summary>
internal interface IProcessProbe
{
    /// <summary>The process <paramref name="pid"/>, or null when it does not exist, is a zombie or cannot be read.</summary>
    ProcessReading? TryRead(int pid);

    /// <summary>The machine's physical memory in bytes.</summary>
    long MemoryTotalBytes();

    /// <summary>The listening and established TCP sockets of <paramref name="pid"/>; empty where they cannot be read.</summary>
    IReadOnlyList<TcpConnection> TcpConnections(int pid);
}
