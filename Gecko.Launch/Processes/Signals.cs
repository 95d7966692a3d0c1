using System.Runtime.InteropServices;

namespace Gecko.Launch.Processes;

/// <summary>POSIX signals sent to child processes.</summary>
internal static class Signals
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when the process is already gone.</summary>
    public static bool Send(int pid, int signal) => OperatingSystem.IsWindows() ? false : kill(pid, signal) == 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
