using Akka.Configuration;
using Gecko.Core.Configuration;

namespace Gecko.Core.Monitoring;

/// <summary>
/// The process monitor's settings (<c>gecko.core.monitor</c> in <c>reference.conf</c>), read once and validated on creation.
/// </summary>
public sealed record MonitorSettings
{
    /// <summary>How often processes are sampled; null means the hub's stats interval.</summary>
    public required TimeSpan? SampleInterval { get; init; }

    /// <summary>Where the proc filesystem is mounted (Linux).</summary>
    public required string ProcRoot { get; init; }

    /// <summary>Whether only processes of the hub's own user are monitored.</summary>
    public required bool SameUserOnly { get; init; }

    /// <summary>The most processes followed at once.</summary>
    public required int MaxProcesses { get; init; }

    /// <summary>The defaults of <c>reference.conf</c>.</summary>
    public static MonitorSettings Default { get; } = Create(GeckoConfig.Defaults);

    /// <summary>Reads <c>gecko.core.monitor</c> from <paramref name="config"/>, falling back to the defaults, and validates it.</summary>
    /// <exception cref="GeckoConfigurationException">A value is missing, malformed or out of range.</exception>
    public static MonitorSettings Create(Config config)
    {
        var monitor = GeckoConfig.WithDefaults(config).GetConfig("gecko.core.monitor");
        try
        {
            return new MonitorSettings
            {
                SampleInterval = monitor.GetString("sample-interval") is { Length: > 0 } ? monitor.GetTimeSpan("sample-interval") : null,
                ProcRoot = monitor.GetString("proc-root"),
                SameUserOnly = monitor.GetBoolean("same-user-only"),
                MaxProcesses = monitor.GetInt("max-processes"),
            }.Validated();
        }
        catch (Exception e) when (e is not GeckoException)
        {
            throw new GeckoConfigurationException($"gecko.core.monitor: {e.Message}", e);
        }
    }

    /// <summary>Checks every value and returns this instance; use it after changing values with <c>with</c>.</summary>
    /// <exception cref="GeckoConfigurationException">A value is out of range.</exception>
    public MonitorSettings Validated()
    {
        if (SampleInterval is { } interval && (interval < TimeSpan.FromMilliseconds(100) || interval > TimeSpan.FromHours(1)))
            throw new GeckoConfigurationException($"gecko.core.monitor.sample-interval = {interval} is out of range: use a value between 100ms and 1h, or \"\" for the stats interval.");
        if (string.IsNullOrWhiteSpace(ProcRoot))
            throw new GeckoConfigurationException("gecko.core.monitor.proc-root is empty: give the folder where the proc filesystem is mounted, normally \"/proc\".");
        if (MaxProcesses is < 1 or > 100_000)
            throw new GeckoConfigurationException($"gecko.core.monitor.max-processes = {MaxProcesses} is out of range: use a value between 1 and 100000.");
        return this;
    }
}
