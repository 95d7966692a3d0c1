using Gecko.Testing;

namespace Gecko.Core.Tests.Monitoring;

/// <summary>A writable copy of the /proc fixtures (see fixtures/README.md) that a test moves from the first state to the later one.</summary>
internal sealed class FixtureProcRoot : IDisposable
{
    public const int HubPid = 4242;
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Monitoring", "fixtures");
    private readonly TempFolder _folder = new("gecko-proc-");

    public FixtureProcRoot()
    {
        Copy(Path.Combine(Fixtures, "proc"), Root);
        var fd = Path.Combine(Root, HubPid.ToString(), "fd");
        Directory.CreateDirectory(fd);
        for (var inode = 1001; inode <= 1008; inode++) File.CreateSymbolicLink(Path.Combine(fd, (inode - 998).ToString()), $"socket:[{inode}]");
        // Descriptors that are not TCP sockets of the tables: a file, a pipe, a socket of another family.
        File.CreateSymbolicLink(Path.Combine(fd, "0"), "/dev/null");
        File.CreateSymbolicLink(Path.Combine(fd, "1"), "pipe:[777]");
        File.CreateSymbolicLink(Path.Combine(fd, "2"), "socket:[888]");
    }

    public string Root => _folder.Combine("proc");

    /// <summary>Lays the later state over the first: the next sample reads it.</summary>
    public void MoveToLaterState() => Copy(Path.Combine(Fixtures, "proc-later"), Root);

    /// <summary>Removes a process, as the kernel does once it has been reaped.</summary>
    public void End(int pid) => Directory.Delete(Path.Combine(Root, pid.ToString()), recursive: true);

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    public void Dispose() => _folder.Dispose();
}
