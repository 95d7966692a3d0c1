namespace Gecko.Testing;

/// <summary>What <c>/proc</c> says about processes: the tests' independent check that nothing was left running.</summary>
public static class ProcessTable
{
    /// <summary>Whether <paramref name="pid"/> runs (a zombie, dead but not yet reaped, does not count).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Every live descendant of <paramref name="root"/> (children, their children, ...), from the parent pids in /proc.</summary>
    public static IReadOnlyList<int> DescendantsOf(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(directory), out var pid)) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(System.IO.Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] == "Z" || !int.TryParse(fields[1], out var parent)) continue;
            if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
            list.Add(pid);
        }
        var result = new List<int>();
        var pending = new Stack<int>([root]);
        while (pending.Count > 0)
        {
            if (!children.TryGetValue(pending.Pop(), out var list)) continue;
            foreach (var child in list)
            {
                result.Add(child);
                pending.Push(child);
            }
        }
        return result;
    }

    /// <summary>The command line of <paramref name="pid"/>, for failure messages.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "(gone)";
        }
    }
}
