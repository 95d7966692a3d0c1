using NetMQ;

namespace Gecko.Core.Bridge.Security;

/// <summary>The hub's CURVE key pair and the client keys allowed in, read from the files <see cref="CurveSettings"/> names.</summary>
public sealed class CurveServerKeys
{
    private readonly HashSet<string> _allowed;

    private CurveServerKeys(NetMQCertificate server, HashSet<string> allowed, bool anyClient)
    {
        Server = server;
        _allowed = allowed;
        AnyClient = anyClient;
    }

    /// <summary>The hub's key pair.</summary>
    public NetMQCertificate Server { get; }

    /// <summary>Whether every client key is accepted (no allow-list).</summary>
    public bool AnyClient { get; }

    /// <summary>How many client keys are allowed.</summary>
    public int AllowedCount => _allowed.Count;

    /// <summary>Whether a client with this long-term public key may exchange messages with the hub.</summary>
    public bool IsAllowed(ReadOnlySpan<byte> clientPublicKey) =>
        AnyClient || (clientPublicKey.Length == 32 && _allowed.Contains(Convert.ToHexString(clientPublicKey)));

    /// <summary>Reads the server's secret key file and every allowed client key (keys, key files, folders of <c>*.key</c> files).</summary>
    /// <exception cref="GeckoConfigurationException">A file is missing or unreadable, or a key is not valid.</exception>
    public static CurveServerKeys Load(CurveSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var server = CurveKeyFiles.ReadSecret(settings.ServerSecretKeyFile);
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in settings.AllowedClients)
        {
            if (Directory.Exists(entry))
            {
                foreach (var file in Directory.EnumerateFiles(entry, "*" + CurveKeyFiles.PublicSuffix))
                    allowed.Add(Convert.ToHexString(CurveKeyFiles.ReadPublic(file)));
                continue;
            }
            if (!CurveKeyFiles.IsZ85Key(entry) && !File.Exists(entry))
                throw new GeckoConfigurationException($"gecko.core.curve.allowed-clients: '{entry}' is neither a 40-character key nor an existing key file or folder.");
            allowed.Add(Convert.ToHexString(CurveKeyFiles.ReadPublic(entry)));
        }
        if (allowed.Count == 0 && !settings.AllowAnyClient)
            throw new GeckoConfigurationException("gecko.core.curve.allowed-clients names no key (its folders hold no .key file): add the nodes' public keys, or set allow-any-client = on.");
        return new CurveServerKeys(server, allowed, settings.AllowAnyClient);
    }
}
