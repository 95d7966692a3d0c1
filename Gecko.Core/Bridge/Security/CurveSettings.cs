using Akka.Configuration;
using Gecko.Core.Configuration;

namespace Gecko.Core.Bridge.Security;

/// <summary>
/// CURVE encryption and client authentication on the hub's tcp:// endpoints (<c>gecko.core.curve</c> in
/// <c>reference.conf</c>), read once and validated on creation. The key files themselves are read when the hub starts
/// (<see cref="CurveServerKeys.Load"/>).
/// </summary>
public sealed record CurveSettings
{
    /// <summary>Whether the hub's tcp:// endpoints speak CURVE only.</summary>
    public required bool Enabled { get; init; }

    /// <summary>The hub's secret key file (as <c>gecko keys generate</c> writes it).</summary>
    public required string ServerSecretKeyFile { get; init; }

    /// <summary>Client public keys allowed in: Z85 keys, public key files, or folders of <c>*.key</c> files.</summary>
    public required IReadOnlyList<string> AllowedClients { get; init; }

    /// <summary>Whether any client key is accepted (encryption without an allow-list).</summary>
    public required bool AllowAnyClient { get; init; }

    /// <summary>How long a new connection may take to complete its handshake before it is closed.</summary>
    public required TimeSpan HandshakeTimeout { get; init; }

    /// <summary>The most connections served at once on each endpoint; more are closed at once.</summary>
    public required int MaxConnections { get; init; }

    /// <summary>The defaults of <c>reference.conf</c> (off).</summary>
    public static CurveSettings Default { get; } = Create(GeckoConfig.Defaults);

    /// <summary>Reads <c>gecko.core.curve</c> from <paramref name="config"/>, falling back to the defaults, and validates it.</summary>
    /// <exception cref="GeckoConfigurationException">A value is missing, malformed or out of range.</exception>
    public static CurveSettings Create(Config config)
    {
        var curve = GeckoConfig.WithDefaults(config).GetConfig("gecko.core.curve");
        try
        {
            return new CurveSettings
            {
                Enabled = curve.GetBoolean("enabled"),
                ServerSecretKeyFile = curve.GetString("server-secret-key-file") ?? "",
                AllowedClients = curve.GetStringList("allowed-clients")?.ToArray() ?? [],
                AllowAnyClient = curve.GetBoolean("allow-any-client"),
                HandshakeTimeout = curve.GetTimeSpan("handshake-timeout"),
                MaxConnections = curve.GetInt("max-connections"),
            }.Validated();
        }
        catch (Exception e) when (e is not GeckoException)
        {
            throw new GeckoConfigurationException($"gecko.core.curve: {e.Message}", e);
        }
    }

    /// <summary>Checks every value and returns this instance; use it after changing values with <c>with</c>.</summary>
    /// <exception cref="GeckoConfigurationException">A value is out of range or a needed one is missing.</exception>
    public CurveSettings Validated()
    {
        if (HandshakeTimeout < TimeSpan.FromMilliseconds(100) || HandshakeTimeout > TimeSpan.FromMinutes(5))
            throw new GeckoConfigurationException($"gecko.core.curve.handshake-timeout = {HandshakeTimeout} is out of range: use a value between 100ms and 5m.");
        if (MaxConnections is < 1 or > 100_000)
            throw new GeckoConfigurationException($"gecko.core.curve.max-connections = {MaxConnections} is out of range: use a value between 1 and 100000.");
        if (!Enabled) return this;
        if (string.IsNullOrWhiteSpace(ServerSecretKeyFile))
            throw new GeckoConfigurationException("gecko.core.curve is enabled but server-secret-key-file is empty: make a key pair with `gecko keys generate --name hub` and name its .key_secret file.");
        if (AllowedClients.Count == 0 && !AllowAnyClient)
            throw new GeckoConfigurationException("gecko.core.curve is enabled with no allowed-clients: list the nodes' public keys (or their .key files, or a folder of them), or set allow-any-client = on for encryption without authentication.");
        return this;
    }
}
