namespace Gecko.Core.Monitoring;

/// <summary>CPU and memory of one process over the last sampling interval, as psutil reports them.</summary>
/// <param name="CpuPercent">CPU time (user + system) over wall time, in percent of one core: a process busy on two cores shows 200.</param>
/// <param name="MemoryPercent">Resident memory over the machine's physical memory, in percent.</param>
/// <param name="ResidentBytes">Resident set size in bytes.</param>
/// <param name="Threads">Threads of the process.</param>
public sealed record ProcessUsage(double CpuPercent, double MemoryPercent, long ResidentBytes, int Threads)
{
    /// <summary>Nothing measured yet.</summary>
    public static ProcessUsage None { get; } = new(0, 0, 0, 0);
}

/// <summary>A registered process and its latest usage.</summary>
/// <param name="Pid">The process id.</param>
/// <param name="Name">The name it registered with (bounded, control characters replaced).</param>
/// <param name="Usage">Its CPU and memory over the last interval.</param>
public sealed record MonitoredProcess(int Pid, string Name, ProcessUsage Usage);

/// <summary>The states of a TCP socket the monitor reports.</summary>
public enum TcpState
{
    /// <summary>A listening socket (a bound hub endpoint).</summary>
    Listen,

    /// <summary>An open connection (a node connected to the hub).</summary>
    Established,
}

/// <summary>One end of a TCP connection.</summary>
/// <param name="Address">The IP address as text (IPv6 without brackets).</param>
/// <param name="Port">The port.</param>
public sealed record TcpEndpoint(string Address, int Port)
{
    /// <summary><c>address:port</c>, with the IPv6 address in brackets.</summary>
    public override string ToString() => Address.Contains(':') ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}

/// <summary>A TCP socket of the hub's process.</summary>
/// <param name="State">Listening or established.</param>
/// <param name="Local">The hub's end.</param>
/// <param name="Remote">The peer, for an established connection; null for a listening socket.</param>
public sealed record TcpConnection(TcpState State, TcpEndpoint Local, TcpEndpoint? Remote);

/// <summary>What the monitor measured in one sample.</summary>
/// <param name="Timestamp">When the sample was taken.</param>
/// <param name="Hub">The hub process's own usage.</param>
/// <param name="Processes">The registered processes still alive, by pid.</param>
/// <param name="Connections">The hub process's listening and established TCP sockets (empty where they cannot be read).</param>
public sealed record MonitorReport(
    DateTimeOffset Timestamp, ProcessUsage Hub, IReadOnlyList<MonitoredProcess> Processes, IReadOnlyList<TcpConnection> Connections)
{
    /// <summary>Before the first sample.</summary>
    public static MonitorReport Empty { get; } = new(DateTimeOffset.MinValue, ProcessUsage.None, [], []);
}
