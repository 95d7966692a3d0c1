using Gecko.Launch.LaunchFiles.Internal;

namespace Gecko.Launch.LaunchFiles;

/// <summary>
/// Reads launch files: HOCON (<c>gecko { core, nodes, processes }</c> over the embedded defaults, with includes) and
/// pygecko's JSON (<c>{"processes": [[module, function, kwargs], ...], "geckocore": {...}}</c>, a <c>.json</c> file).
/// Every key and value is checked before anything starts; a bad file is refused with each error at its file and line.
/// </summary>
public static class LaunchFile
{
    /// <summary>Reads and checks <paramref name="path"/>, with <paramref name="overrides"/> (<c>KEY=VALUE</c>, as
    /// <c>gecko launch --set</c> gives them) over what it says.</summary>
    /// <exception cref="LaunchFileException">The file is refused; its errors say where and why.</exception>
    public static LaunchPlan Load(string path, IReadOnlyList<string>? overrides = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
            throw new LaunchFileException([new LaunchFileError(path, 0, "is a directory: give a launch file, e.g. hocon/demo.conf")]);
        if (!File.Exists(fullPath))
            throw new LaunchFileException([new LaunchFileError(path, 0, "no such launch file")]);
        return IsPygecko(fullPath)
            ? HoconLaunchReader.ReadPygecko(fullPath, overrides ?? [])
            : HoconLaunchReader.Read(fullPath, overrides ?? []);
    }

    /// <summary>Whether <paramref name="path"/> is read as a pygecko JSON launch file (its extension is <c>.json</c>).</summary>
    public static bool IsPygecko(string path) => Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase);
}
