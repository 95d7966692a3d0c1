using System.Diagnostics;

namespace Gecko.Launch.LaunchFiles.Internal;

/// <summary>Builds the project a node names (<c>project = "../nodes/MyNodes.csproj"</c>) with the .NET SDK and finds its assembly.</summary>
internal static class ProjectBuild
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    /// <summary>Builds <paramref name="project"/>; returns its output assembly, or null and why not.</summary>
    public static (string? Assembly, string? Error) Build(string project)
    {
        // Under `dotnet run` or `dotnet gecko.dll` the SDK tells its children where it is.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Executables.Find("dotnet", Environment.CurrentDirectory).Path;
        if (dotnet is null) return (null, $"building {project} needs the .NET SDK: install it, or build the project and name its assembly instead");

        var (buildExit, buildOutput) = Run(dotnet, ["build", project, "-nologo", "-v", "q", "-clp:ErrorsOnly"]);
        if (buildExit != 0)
        {
            var errors = buildOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(5);
            return (null, $"building {project} failed:\n  {string.Join("\n  ", errors)}");
        }
        var (exit, output) = Run(dotnet, ["msbuild", project, "-nologo", "-getProperty:TargetPath"]);
        var assembly = output.Trim();
        if (exit != 0 || assembly.Length == 0 || !File.Exists(assembly))
            return (null, $"{project} was built but its assembly was not found ({(assembly.Length == 0 ? "no TargetPath" : assembly)})");
        return (assembly, null);
    }

    private static (int ExitCode, string Output) Run(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{program} {string.Join(' ', arguments)} did not finish within {Limit.TotalMinutes:0} minutes");
        }
        return (process.ExitCode, output.Result + error.Result);
    }
}
