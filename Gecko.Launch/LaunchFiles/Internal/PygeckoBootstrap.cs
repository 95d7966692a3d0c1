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

    /// <summary>What Python finds wrong with the <paramref name="entries"/> (module, function) from
    /// <paramref name="folder"/>, without importing them: modules it cannot find, functions their source does not define.</summary>
    /// <returns>Per entry with a problem, what it is; an entry without one is absent.</returns>
    public static IReadOnlyDictionary<(string Module, string Function), string> Check(string python, string folder,
        IReadOnlyCollection<(string Module, string Function)> entries)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var argument in new[] { "-u", ScriptPath, "check", folder }.Concat(entries.Select(e => $"{e.Module}:{e.Function}")))
            start.ArgumentList.Add(argument);
        var problems = new Dictionary<(string, string), string>();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            return problems;
        }
        _ = error.Result;
        foreach (var line in output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var words = line.Split(' ');
            if (words is ["module", var module])
            {
                foreach (var entry in entries.Where(e => e.Module == module))
                    problems[entry] = $"module '{module}' not found next to the launch file ({folder}) nor on {python}'s path";
            }
            else if (words is ["function", var inModule, var function, .. var defined])
            {
                problems[(inModule, function)] = $"module '{inModule}' defines no function '{function}'{ClosestName.Hint(function, defined)}";
            }
        }
        return problems;
    }
}
