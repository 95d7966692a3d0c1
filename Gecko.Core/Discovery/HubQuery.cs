namespace Gecko.Core.Discovery;

/// <summary>What <see cref="HubLocator"/> knows before it searches; every value is optional.</summary>
public sealed record HubQuery
{
    /// <summary>The hub's in endpoint, when the caller knows it (an argument, a launch-file setting); it wins over every search.</summary>
    public string? InAddress { get; init; }

    /// <summary>The hub's out endpoint, when the caller knows it; it wins over every search.</summary>
    public string? OutAddress { get; init; }

    /// <summary>
    /// The key of the hub wanted; <c>GECKO_CORE_KEY</c> when null. With a key, only that hub's core file counts, and
    /// the beacon is asked when no core file matches; without one, the newest live core file counts and the beacon is not asked.
    /// </summary>
    public string? Key { get; init; }

    /// <summary>The folder of core files; <c>gecko.core.core-file-directory</c> (the temp directory) when null.</summary>
    public string? CoreFileDirectory { get; init; }

    /// <summary>The beacon's group, port, interfaces and timeout.</summary>
    public BeaconSettings Beacon { get; init; } = BeaconSettings.Default;

    /// <summary>How long a beacon look-up waits; <see cref="BeaconSettings.Timeout"/> of <see cref="Beacon"/> when null.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The name sent with a beacon look-up, for the hub's log; the program's name when null.</summary>
    public string? Name { get; init; }

    /// <summary>The environment variables to read; the process's own when null (tests and tools may pass their own).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
}
