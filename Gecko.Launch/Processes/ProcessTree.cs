namespace Gecko.Launch.Processes;

/// <summary>A process's descendants, read from <c>/proc</c>: what a terminal's Ctrl-C reaches as one process group.</summary>
internal static class ProcessTree
{
    /// <summary>The pids of <paramref name="root"/>'s descendants (not the root itself); empty off Linux.</summary>
    public static IReadOnlyCollection<int> Descendants(int root)
    {
        if (!OperatingSystem.IsLinux()) return [];
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            var parent = ParentOf(pid);
            if (parent <= 0) continue;
            if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
            list.Add(pid);
        }
        var result = new HashSet<int>();
        var pending = new Stack<int>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            if (!children.TryGetValue(pending.Pop(), out var list)) continue;
            foreach (var child in list)
                if (result.Add(child)) pending.Push(child);
        }
        return result;
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so parse after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ', 3);
            return fields.Length >= 2 && int.TryParse(fields[1], out var ppid) ? ppid : 0;
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }
}
