using System.Diagnostics;

namespace Gecko.Core.Monitoring;

/// <summary>Whether a process id names a live process on this machine.</summary>
public static class ProcessLiveness
{
    /// <summary>True when <paramref name="pid"/> is a running process (not a zombie on Linux).</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0) return false;
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // Field 3 of /proc/<pid>/stat is the state; Z is a zombie: dead, not yet reaped.
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var close = stat.LastIndexOf(')');
                return close > 0 && close + 2 < stat.Length && stat[close + 2] != 'Z';
            }
            catch (IOException) { return false; }
            catch (UnauthorizedAccessException) { return true; }
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
