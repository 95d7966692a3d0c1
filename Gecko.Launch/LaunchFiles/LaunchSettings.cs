using System.Reflection;
using Akka.Configuration;
using Gecko.Core;
using Gecko.Core.Configuration;

namespace Gecko.Launch.LaunchFiles;

/// <summary>
/// The launcher's own settings (<c>gecko.launch</c> in Gecko.Launch's embedded <c>reference.conf</c>), read once and
/// validated. The per-node and per-process defaults there are read by the launch file reader, entry by entry.
/// </summary>
public sealed record LaunchSettings
{
    private static readonly Lazy<Config> Reference = new(LoadReference);

    /// <summary>Where per-process log files go; empty for a fresh folder per run under the temp directory.</summary>
    public required string RunDirectory { get; init; }

    /// <summary>The Python interpreter of pygecko JSON launch files.</summary>
    public required string Python { get; init; }

    /// <summary>Gecko.Launch's embedded defaults (<c>gecko.launch</c>) over Gecko.Core's (<c>gecko.core</c>, ...).</summary>
    public static Config Defaults => Reference.Value;

    /// <summary>The defaults of <c>reference.conf</c>.</summary>
    public static LaunchSettings Default { get; } = Create(Defaults);

    /// <summary>Reads <c>gecko.launch</c> from <paramref name="config"/> over the defaults and validates it.</summary>
    /// <exception cref="GeckoConfigurationException">A value is missing or malformed; the message names the key.</exception>
    public static LaunchSettings Create(Config config)
    {
        var launch = (ReferenceEquals(config, Defaults) ? config : config.WithFallback(Defaults)).GetConfig("gecko.launch");
        var python = launch.GetString("python");
        if (string.IsNullOrWhiteSpace(python))
            throw new GeckoConfigurationException("gecko.launch.python is empty: give the Python interpreter, e.g. \"/usr/bin/python3\".");
        return new LaunchSettings { RunDirectory = launch.GetString("run-directory") ?? "", Python = python };
    }

    /// <summary>The run directory for a launch of <paramref name="launchFile"/> started now: the configured one, or a fresh one.</summary>
    public string RunDirectoryFor(string launchFile, DateTime now)
    {
        if (RunDirectory.Length > 0) return Path.GetFullPath(RunDirectory);
        var name = Path.GetFileNameWithoutExtension(launchFile);
        return Path.Combine(Path.GetTempPath(), "gecko-runs", $"{name}-{now:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
    }

    private static Config LoadReference()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Gecko.Launch.reference.conf")
            ?? throw new GeckoException("Gecko.Launch is missing its embedded reference.conf; the assembly was built wrongly.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd()).WithFallback(GeckoConfig.Defaults);
    }
}
