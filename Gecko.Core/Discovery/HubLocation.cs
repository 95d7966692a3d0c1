namespace Gecko.Core.Discovery;

/// <summary>How a hub's addresses were found, in the order <see cref="HubLocator"/> tries them.</summary>
public enum HubSource
{
    /// <summary>Given by the caller (arguments, launch-file settings, node options).</summary>
    Explicit,

    /// <summary>From <c>GECKO_CORE_IN</c> and <c>GECKO_CORE_OUT</c>.</summary>
    Environment,

    /// <summary>From the core file of a live hub on this machine.</summary>
    CoreFile,

    /// <summary>From a hub's answer to a multicast beacon look-up for its key.</summary>
    Beacon,

    /// <summary>Nothing was found: the defaults of <c>reference.conf</c>.</summary>
    Default,
}

/// <summary>Where a hub is, and how that was found out.</summary>
/// <param name="InAddress">Where publishers connect.</param>
/// <param name="OutAddress">Where subscribers connect.</param>
/// <param name="Source">The step of the search that supplied the addresses (the later one when each came from a different step).</param>
public sealed record HubLocation(string InAddress, string OutAddress, HubSource Source)
{
    /// <summary>The hub's key, when the step that found it knows it.</summary>
    public string? Key { get; init; }

    /// <summary>The hub's process id, when the step that found it knows it.</summary>
    public int? Pid { get; init; }

    /// <summary>How the addresses were found, in words (for logs and <c>gecko find</c>).</summary>
    public string Detail { get; init; } = "";

    /// <summary>The earlier steps that found nothing, and why (for logs and <c>gecko find</c>).</summary>
    public IReadOnlyList<string> Tried { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => $"in {InAddress}, out {OutAddress} ({Detail})";
}

/// <summary>The outcome of <see cref="HubLocator.Search"/>.</summary>
/// <param name="Location">The hub found; null when no step found one.</param>
/// <param name="Tried">The steps that found nothing, and why.</param>
public sealed record HubSearch(HubLocation? Location, IReadOnlyList<string> Tried)
{
    /// <summary>Whether a hub was found.</summary>
    public bool Found => Location is not null;
}
