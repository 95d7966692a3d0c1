namespace Gecko.Launch.Launching;

/// <summary>How to start this very gecko program again, for processes whose command is <c>gecko</c>.</summary>
public static class GeckoExecutable
{
    /// <summary>The name a launch file uses for the running gecko program.</summary>
    public const string CommandName = "gecko";

    /// <summary>
    /// The program and leading arguments that run this gecko: its apphost when there is one, else <c>dotnet gecko.dll</c>
    /// (as under <c>dotnet run</c> or <c>dotnet gecko.dll</c>).
    /// </summary>
    public static (string Program, IReadOnlyList<string> Arguments) Resolve()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var assembly = typeof(GeckoExecutable).Assembly.Location;
        var host = Path.GetFileNameWithoutExtension(process);
        if (host.Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return (process, [assembly]);
        return (process, []);
    }
}
