using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;

namespace Gecko.Core.Monitoring.Internal;

/// <summary>
/// Linux's proc filesystem under a root folder (normally <c>/proc</c>; fixture files in tests): what psutil reads.
/// </summary>
internal sealed class ProcFileSystem : IProcessProbe
{
    // The kernel's PF_KTHREAD flag in field 9 of /proc/<pid>/stat.
    private const long KernelThreadFlag = 0x00200000;
    private const string ListenState = "0A";
    private const string EstablishedState = "01";

    private readonly string _root;
    private readonly double _clockTicksPerSecond;

    /// <summary>Reads under <paramref name="root"/>; CPU times are in units of <paramref name="clockTicksPerSecond"/> (sysconf(_SC_CLK_TCK)).</summary>
    public ProcFileSystem(string root, long clockTicksPerSecond)
    {
        _root = root;
        _clockTicksPerSecond = clockTicksPerSecond;
    }

    /// <summary>The system's clock ticks per second, in which /proc gives CPU times.</summary>
    public static long SystemClockTicksPerSecond()
    {
        const int ScClkTck = 2; // _SC_CLK_TCK on Linux
        try
        {
            var ticks = sysconf(ScClkTck);
            return ticks > 0 ? ticks : 100;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100; // USER_HZ, the value every Linux architecture exports
        }
    }

    public ProcessReading? TryRead(int pid)
    {
        if (pid <= 0) return null;
        var stat = ReadText(Path.Combine(_root, pid.ToString(CultureInfo.InvariantCulture), "stat"));
        if (stat is null || !TryParseStat(stat, out var parsed) || parsed.State is 'Z' or 'X') return null;
        var status = ReadText(Path.Combine(_root, pid.ToString(CultureInfo.InvariantCulture), "status"));
        if (status is null) return null;
        long residentKb = 0;
        int? uid = null;
        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("VmRSS:")) residentKb = FirstNumber(line["VmRSS:".Length..]) ?? 0;
            else if (line.StartsWith("Uid:") && FirstNumber(line["Uid:".Length..]) is { } real) uid = (int)real;
        }
        return new ProcessReading(pid, parsed.Command, parsed.StartTime, (parsed.UserTicks + parsed.SystemTicks) / _clockTicksPerSecond,
            residentKb * 1024, parsed.Threads, uid, (parsed.Flags & KernelThreadFlag) != 0);
    }

    public long MemoryTotalBytes()
    {
        var meminfo = ReadText(Path.Combine(_root, "meminfo"));
        if (meminfo is not null)
        {
            foreach (var line in meminfo.AsSpan().EnumerateLines())
                if (line.StartsWith("MemTotal:") && FirstNumber(line["MemTotal:".Length..]) is { } kb && kb > 0) return kb * 1024;
        }
        return Math.Max(1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }

    public IReadOnlyList<TcpConnection> TcpConnections(int pid)
    {
        var process = Path.Combine(_root, pid.ToString(CultureInfo.InvariantCulture));
        var inodes = SocketInodes(Path.Combine(process, "fd"));
        if (inodes.Count == 0) return [];
        var connections = new List<TcpConnection>();
        // The process's own view of the network: its namespace, which /proc/net (the reader's) may not be.
        AddConnections(Path.Combine(process, "net", "tcp"), inodes, connections);
        AddConnections(Path.Combine(process, "net", "tcp6"), inodes, connections);
        WithoutLoopbackPairs(connections);
        connections.Sort(static (a, b) =>
            a.State != b.State ? a.State.CompareTo(b.State)
            : a.Local.Port != b.Local.Port ? a.Local.Port.CompareTo(b.Local.Port)
            : (a.Remote?.Port ?? 0).CompareTo(b.Remote?.Port ?? 0));
        return connections;
    }

    /// <summary>
    /// Drops the connections whose both ends are sockets of this same process: NetMQ wakes its own threads through
    /// loopback TCP pairs, which are plumbing, not peers of the hub.
    /// </summary>
    internal static void WithoutLoopbackPairs(List<TcpConnection> connections)
    {
        var ownEnds = new HashSet<TcpEndpoint>();
        foreach (var connection in connections)
            if (connection.State == TcpState.Established) ownEnds.Add(connection.Local);
        connections.RemoveAll(c => c.State == TcpState.Established && ownEnds.Contains(c.Remote!));
    }

    internal readonly record struct Stat(string Command, char State, long Flags, long UserTicks, long SystemTicks, int Threads, long StartTime);

    /// <summary>Parses <c>/proc/&lt;pid&gt;/stat</c>: <c>pid (comm) state ppid …</c>, where comm may hold spaces and parentheses.</summary>
    internal static bool TryParseStat(string stat, out Stat parsed)
    {
        parsed = default;
        var open = stat.IndexOf('(');
        var close = stat.LastIndexOf(')');
        if (open < 0 || close < open || close + 2 >= stat.Length) return false;
        // Fields after the command, counted from field 3 (state) as index 0.
        var fields = stat[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 20 || fields[0].Length != 1) return false;
        var c = CultureInfo.InvariantCulture;
        if (!long.TryParse(fields[9 - 3], NumberStyles.None, c, out var flags)
            || !long.TryParse(fields[14 - 3], NumberStyles.None, c, out var utime)
            || !long.TryParse(fields[15 - 3], NumberStyles.None, c, out var stime)
            || !int.TryParse(fields[20 - 3], NumberStyles.None, c, out var threads)
            || !long.TryParse(fields[22 - 3], NumberStyles.None, c, out var start))
            return false;
        parsed = new Stat(stat[(open + 1)..close], fields[0][0], flags, utime, stime, threads, start);
        return true;
    }

    private static HashSet<long> SocketInodes(string fdFolder)
    {
        var inodes = new HashSet<long>();
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries(fdFolder))
            {
                string? target;
                try
                {
                    target = new FileInfo(fd).LinkTarget;
                }
                catch (IOException) { continue; } // closed between listing and reading
                catch (UnauthorizedAccessException) { continue; }
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']')
                    && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
                    inodes.Add(inode);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return inodes;
    }

    /// <summary>Reads a <c>/proc/net/tcp</c>-style table, keeping the listening and established sockets among <paramref name="inodes"/>.</summary>
    internal static void AddConnections(string table, HashSet<long> inodes, List<TcpConnection> connections)
    {
        var text = ReadText(table);
        if (text is null) return;
        var first = true;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (first) { first = false; continue; } // the header
            var connection = ParseTcpLine(line.ToString(), inodes);
            if (connection is not null) connections.Add(connection);
        }
    }

    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
    private static TcpConnection? ParseTcpLine(string line, HashSet<long> inodes)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 10) return null;
        var state = fields[3] switch
        {
            ListenState => TcpState.Listen,
            EstablishedState => TcpState.Established,
            _ => (TcpState?)null,
        };
        if (state is null || !long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode) || !inodes.Contains(inode))
            return null;
        var local = ParseEndpoint(fields[1]);
        var remote = ParseEndpoint(fields[2]);
        if (local is null || remote is null) return null;
        return new TcpConnection(state.Value, local, state == TcpState.Listen ? null : remote);
    }

    /// <summary>
    /// Decodes <c>0100007F:270E</c>: the address is the kernel's network-order bytes printed as native-endian 32-bit words
    /// (one for IPv4, four for IPv6), the port a plain hex number.
    /// </summary>
    internal static TcpEndpoint? ParseEndpoint(string text)
    {
        var colon = text.IndexOf(':');
        if (colon is not (8 or 32) || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port))
            return null;
        var bytes = new byte[colon / 2];
        for (var word = 0; word < colon / 8; word++)
        {
            if (!uint.TryParse(text.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value)) return null;
            // The word was printed from memory holding network-order bytes: its native representation is those bytes.
            var native = BitConverter.GetBytes(value);
            native.CopyTo(bytes, word * 4);
        }
        return new TcpEndpoint(new IPAddress(bytes).ToString(), port);
    }

    private static long? FirstNumber(ReadOnlySpan<char> text)
    {
        text = text.TrimStart();
        var end = 0;
        while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
        return end > 0 && long.TryParse(text[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // the process ended, or is not ours to read
        }
    }

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long sysconf(int name);
}
