using System.Diagnostics;

namespace Gecko.Launch.LaunchFiles.Internal;

/// <summary>
/// The small Python program that runs one pygecko entry (gecko_pygecko_bootstrap.py, next to the gecko program):
/// module, function and kwargs reach it as argv data, never as code.
/// </summary>
internal static class PygeckoBootstrap
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Where the script is installed.</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "python", "gecko_pygecko_bootstrap.py");

    /// <summary>The <paramref name="modules"/> Python cannot find from <paramref name="folder"/> (or on its path).</summary>
    public static IReadOnlySet<string> MissingModules(string python, string folder, IReadOnlyList<string> modules)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var argument in new[] { "-u", ScriptPath, "find-modules", folder }.Concat(modules)) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            return new HashSet<string>();
        }
        _ = error.Result;
        return output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
    }
}
