using NetMQ;

namespace Gecko.Core.Bridge.Security;

/// <summary>
/// What a node needs to reach a hub that speaks CURVE: the hub's public key and the node's own key pair (which the hub's
/// allow-list must hold). Applied to every socket the node connects to the hub.
/// </summary>
/// <param name="ServerKey">The hub's public key (32 bytes).</param>
/// <param name="Client">The node's key pair.</param>
public sealed record CurveClientKeys(byte[] ServerKey, NetMQCertificate Client)
{
    /// <summary>The environment variable with the hub's public key: 40 Z85 characters, or a key file.</summary>
    public const string ServerKeyVariable = "GECKO_CURVE_SERVER_KEY";

    /// <summary>The environment variable naming the node's secret key file.</summary>
    public const string SecretKeyFileVariable = "GECKO_CURVE_SECRET_KEY_FILE";

    /// <summary>
    /// The keys from explicit values, else from <see cref="ServerKeyVariable"/> and <see cref="SecretKeyFileVariable"/>;
    /// null when no server key is given anywhere (the hub is reached in plaintext). Without a secret key file the node
    /// makes a key pair of its own for this run, which only a hub with <c>allow-any-client</c> accepts.
    /// </summary>
    /// <exception cref="GeckoConfigurationException">A key or key file is not valid.</exception>
    public static CurveClientKeys? Find(string? serverKey, string? secretKeyFile)
    {
        serverKey ??= NonEmpty(Environment.GetEnvironmentVariable(ServerKeyVariable));
        secretKeyFile ??= NonEmpty(Environment.GetEnvironmentVariable(SecretKeyFileVariable));
        if (serverKey is null)
        {
            if (secretKeyFile is not null)
                throw new GeckoConfigurationException($"A CURVE secret key file is given ({secretKeyFile}) but not the hub's public key: set {ServerKeyVariable} (or the node option) to the hub's .key file or key.");
            return null;
        }
        var client = secretKeyFile is null ? new NetMQCertificate() : CurveKeyFiles.ReadSecret(secretKeyFile);
        return new CurveClientKeys(CurveKeyFiles.ReadPublic(serverKey), client);
    }

    /// <summary>Makes <paramref name="socket"/> a CURVE client of the hub; call before it connects.</summary>
    public void Apply(NetMQSocket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        socket.Options.CurveServerKey = ServerKey;
        socket.Options.CurveCertificate = Client;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
