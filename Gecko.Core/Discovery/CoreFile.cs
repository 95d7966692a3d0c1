using System.Text.Json;
using System.Text.Json.Serialization;
using Gecko.Core.Monitoring;

namespace Gecko.Core.Discovery;

/// <summary>
/// The core file: <c>gecko-&lt;pid&gt;.json</c> in the temp directory, holding <c>{"in_addr", "out_addr"}</c> (and, beyond
/// pygecko, the hub's pid and key), so nodes on this machine find a running hub without configuration.
/// </summary>
public sealed class CoreFile : IDisposable
{
    /// <summary>What a core file says.</summary>
    /// <param name="InAddress">Where publishers connect.</param>
    /// <param name="OutAddress">Where subscribers connect.</param>
    /// <param name="Pid">The hub's process id.</param>
    /// <param name="Key">The hub's beacon key.</param>
    public sealed record Contents(
        [property: JsonPropertyName("in_addr")] string InAddress,
        [property: JsonPropertyName("out_addr")] string OutAddress,
        [property: JsonPropertyName("pid")] int Pid,
        [property: JsonPropertyName("key")] string? Key);

    private const string Prefix = "gecko-";

    // Core files this process has written and not yet removed: a second hub in the same process (tests, tools)
    // gets gecko-<pid>-2.json instead of overwriting, and later removing, the first one's file.
    private static readonly HashSet<string> Written = new(StringComparer.Ordinal);

    private int _disposed;

    private CoreFile(string path) => Path = path;

    /// <summary>Where this core file is.</summary>
    public string Path { get; }

    /// <summary>The folder core files live in (the temp directory unless told otherwise).</summary>
    public static string DefaultDirectory => System.IO.Path.GetTempPath();

    /// <summary>
    /// Writes the core file of the current process, atomically so a reader never sees half a file, after removing the
    /// files of hubs that are gone from <paramref name="directory"/> (created if missing).
    /// </summary>
    /// <exception cref="IOException">The folder cannot be created or written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable by this user.</exception>
    public static CoreFile Write(string inAddress, string outAddress, string key, string? directory = null)
    {
        directory ??= DefaultDirectory;
        Directory.CreateDirectory(directory);
        RemoveStale(directory);
        var pid = Environment.ProcessId;
        string path;
        lock (Written)
        {
            path = System.IO.Path.Combine(directory, $"{Prefix}{pid}.json");
            for (var n = 2; Written.Contains(path); n++) path = System.IO.Path.Combine(directory, $"{Prefix}{pid}-{n}.json");
            Written.Add(path);
        }
        try
        {
            var temp = path + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(new Contents(inAddress, outAddress, pid, key)));
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            lock (Written) Written.Remove(path);
            throw;
        }
        return new CoreFile(path);
    }

    /// <summary>Deletes the core files in <paramref name="directory"/> whose hub process is gone; returns how many.</summary>
    public static int RemoveStale(string? directory = null)
    {
        directory ??= DefaultDirectory;
        var removed = 0;
        foreach (var file in CoreFiles(directory))
        {
            var pid = TryRead(file)?.Pid is > 0 and var read ? read : PidFromName(file);
            if (pid > 0 && !ProcessLiveness.IsAlive(pid) && TryDelete(file)) removed++;
        }
        return removed;
    }

    /// <summary>
    /// The core files of live hubs in <paramref name="directory"/>, newest first. Files of hubs that are gone
    /// (their pid is not alive) and unreadable files are deleted on the way.
    /// </summary>
    public static IReadOnlyList<Contents> FindLive(string? directory = null)
    {
        directory ??= DefaultDirectory;
        var found = new List<(DateTime Written, Contents Contents)>();
        foreach (var file in CoreFiles(directory))
        {
            var contents = TryRead(file);
            var pid = contents?.Pid is > 0 and var written ? written : PidFromName(file);
            if (contents is not null && pid > 0 && ProcessLiveness.IsAlive(pid))
            {
                found.Add((File.GetLastWriteTimeUtc(file), contents with { Pid = pid }));
                continue;
            }
            // A hub that died without cleaning up, or a file that is not ours to read: ignore it, and remove it when
            // its owner is provably gone so the next look-up is not misled.
            if (pid > 0 && !ProcessLiveness.IsAlive(pid)) TryDelete(file);
        }
        return found.OrderByDescending(f => f.Written).Select(f => f.Contents).ToArray();
    }

    /// <summary>Removes the file (clean exit).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        TryDelete(Path);
        lock (Written) Written.Remove(Path);
    }

    private static string[] CoreFiles(string directory)
    {
        try
        {
            return Directory.GetFiles(directory, $"{Prefix}*.json");
        }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }

    private static Contents? TryRead(string file)
    {
        try
        {
            var contents = JsonSerializer.Deserialize<Contents>(File.ReadAllText(file));
            return contents is { InAddress.Length: > 0, OutAddress.Length: > 0 } ? contents : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The pid in <c>gecko-&lt;pid&gt;.json</c> or <c>gecko-&lt;pid&gt;-&lt;n&gt;.json</c>; 0 for any other name.</summary>
    private static int PidFromName(string file)
    {
        var name = System.IO.Path.GetFileNameWithoutExtension(file).AsSpan(Prefix.Length);
        var dash = name.IndexOf('-');
        return int.TryParse(dash < 0 ? name : name[..dash], out var pid) ? pid : 0;
    }

    private static bool TryDelete(string file)
    {
        try
        {
            File.Delete(file);
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
