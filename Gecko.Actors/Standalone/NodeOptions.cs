using Gecko.Core.Discovery;

namespace Gecko.Actors.Standalone;

/// <summary>How a standalone node connects; every value is optional and found as DESIGN.md's "Finding the hub" says
/// (see <see cref="HubLocator"/>).</summary>
public sealed record NodeOptions
{
    /// <summary>The hub's in endpoint (publishers connect here); found when null.</summary>
    public string? InAddress { get; init; }

    /// <summary>The hub's out endpoint (subscribers connect here); found when null.</summary>
    public string? OutAddress { get; init; }

    /// <summary>The key of the hub to find (its core file, else a beacon look-up); <c>GECKO_CORE_KEY</c> when null.
    /// Without a key the newest live core file counts and the beacon is not asked.</summary>
    public string? Key { get; init; }

    /// <summary>The folder of core files; the temp directory (where hubs write them by default) when null.</summary>
    public string? CoreFileDirectory { get; init; }

    /// <summary>The beacon's group, port, interfaces and timeout; <c>reference.conf</c>'s when null.</summary>
    public BeaconSettings? Beacon { get; init; }

    /// <summary>How often the node repeats its registration on <c>core_info</c>, so a restarted hub learns of it again.</summary>
    public TimeSpan RegistrationInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether SIGINT and SIGTERM shut the node down (run hooks, de-register) instead of killing it.</summary>
    public bool HandleSignals { get; init; } = true;

    /// <summary>Whether log lines are also written to standard error.</summary>
    public bool LogToConsole { get; init; } = true;

    /// <summary>
    /// The hub's CURVE public key (40 Z85 characters, or its <c>.key</c> file) when the hub speaks CURVE
    /// (<c>gecko.core.curve</c>); <c>GECKO_CURVE_SERVER_KEY</c> when null; plaintext when neither is set.
    /// </summary>
    public string? CurveServerKey { get; init; }

    /// <summary>
    /// This node's CURVE secret key file (<c>NAME.key_secret</c> from <c>gecko keys generate</c>), whose public key the hub
    /// must allow; <c>GECKO_CURVE_SECRET_KEY_FILE</c> when null. Without one the node makes a key pair for this run, which
    /// only a hub with <c>allow-any-client</c> accepts.
    /// </summary>
    public string? CurveSecretKeyFile { get; init; }

    /// <summary>The largest payload a subscriber accepts (ZMQ_MAXMSGSIZE); larger frames drop the connection.</summary>
    public long MaxPayloadSize { get; init; } = 64L * 1024 * 1024;
}
