namespace Gecko.Launch.LaunchFiles.Internal;

/// <summary>Finds the program a process command names, before anything starts, so a typo is refused with its line.</summary>
internal static class Executables
{
    /// <summary>
    /// The absolute path of <paramref name="command"/>: relative to <paramref name="folder"/> when it holds a '/',
    /// else looked up on PATH; null and what is wrong when there is no such executable.
    /// </summary>
    public static (string? Path, string? Error) Find(string command, string folder)
    {
        if (command.Contains('/'))
        {
            var path = System.IO.Path.GetFullPath(command, folder);
            if (Directory.Exists(path)) return (null, $"command '{command}' is a directory ({path}), not a program");
            if (!File.Exists(path)) return (null, $"command '{command}' does not exist ({path})");
            return IsExecutable(path)
                ? (path, null)
                : (null, $"command '{command}' is not executable ({path}): chmod +x it, or run it through its interpreter, e.g. command = /usr/bin/python3, args = [{command}]");
        }
        var searchPath = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in searchPath.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(directory, command);
            if (File.Exists(candidate) && IsExecutable(candidate)) return (candidate, null);
        }
        return (null, $"command '{command}' is not on PATH: give its path (e.g. /usr/bin/{command}), or install it");
    }

    private static bool IsExecutable(string path)
    {
        if (OperatingSystem.IsWindows()) return true;
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }
}
