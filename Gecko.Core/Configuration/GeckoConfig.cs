using System.Reflection;
using Akka.Configuration;

namespace Gecko.Core.Configuration;

/// <summary>Gecko's embedded defaults (<c>reference.conf</c>) and the layering of user config on top of them.</summary>
public static class GeckoConfig
{
    private static readonly Lazy<Config> Reference = new(LoadReference);

    /// <summary>The embedded defaults, under <c>gecko { }</c>.</summary>
    public static Config Defaults => Reference.Value;

    /// <summary>Layers <paramref name="config"/> over the embedded defaults.</summary>
    public static Config WithDefaults(Config? config) =>
        config is null || config.IsEmpty || ReferenceEquals(config, Defaults) ? Defaults : config.WithFallback(Defaults);

    private static Config LoadReference()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Gecko.Core.reference.conf")
            ?? throw new GeckoException("Gecko.Core is missing its embedded reference.conf; the assembly was built wrongly.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
