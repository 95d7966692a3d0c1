using System.Text;
using NetMQ;

namespace Gecko.Core.Bridge.Security;

/// <summary>
/// CURVE key pairs as files in ZeroMQ's certificate format (what pyzmq's <c>zmq.auth.create_certificates</c> writes and
/// <c>zmq.auth.load_certificate</c> reads): <c>NAME.key</c> holds the public key, <c>NAME.key_secret</c> both keys and is
/// readable by its owner only. Keys are Z85 text, 40 characters for 32 bytes.
/// </summary>
public static class CurveKeyFiles
{
    /// <summary>The file name suffix of a public key file.</summary>
    public const string PublicSuffix = ".key";

    /// <summary>The file name suffix of a secret key file.</summary>
    public const string SecretSuffix = ".key_secret";

    /// <summary>Makes a new key pair and writes <c>NAME.key</c> and <c>NAME.key_secret</c> (mode 0600) in <paramref name="folder"/>.</summary>
    /// <returns>The new key pair.</returns>
    /// <exception cref="IOException">A file of that name exists already (keys are never overwritten) or cannot be written.</exception>
    public static NetMQCertificate Generate(string folder, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.IndexOfAny(['/', '\\']) >= 0 || name is "." or "..")
            throw new ArgumentException($"'{name}' is not a plain name: give one without slashes, such as hub or camera-node.", nameof(name));
        var certificate = new NetMQCertificate();
        Directory.CreateDirectory(folder);
        var publicFile = Path.Combine(folder, name + PublicSuffix);
        var secretFile = Path.Combine(folder, name + SecretSuffix);
        foreach (var file in new[] { publicFile, secretFile })
            if (File.Exists(file)) throw new IOException($"{file} exists already: keys are never overwritten; remove it first or give another name.");
        WriteNew(secretFile, Certificate(certificate, secret: true), secret: true);
        WriteNew(publicFile, Certificate(certificate, secret: false), secret: false);
        return certificate;
    }

    /// <summary>Reads a key pair from a secret key file.</summary>
    /// <exception cref="GeckoConfigurationException">The file is missing, unreadable or holds no valid secret key.</exception>
    public static NetMQCertificate ReadSecret(string path)
    {
        var (publicKey, secretKey) = Read(path);
        if (secretKey is null)
            throw new GeckoConfigurationException($"{path} holds no secret-key: name the .key_secret file of the pair, not its public .key.");
        var certificate = NetMQCertificate.CreateFromSecretKey(secretKey);
        if (publicKey is not null && publicKey != certificate.PublicKeyZ85)
            throw new GeckoConfigurationException($"{path}: its public-key does not belong to its secret-key; the file is damaged: generate a new pair.");
        return certificate;
    }

    /// <summary>
    /// Reads a public key given as Z85 text (40 characters) or as a key file (either kind: a secret file holds the public
    /// key too); returns its 32 bytes.
    /// </summary>
    /// <exception cref="GeckoConfigurationException">Neither a valid key nor a readable key file.</exception>
    public static byte[] ReadPublic(string keyOrPath)
    {
        ArgumentNullException.ThrowIfNull(keyOrPath);
        // A file first: a 40-character path is also valid Z85 ('/', '.' and '-' are in its alphabet).
        if (!File.Exists(keyOrPath) && IsZ85Key(keyOrPath)) return NetMQCertificate.FromPublicKey(keyOrPath).PublicKey;
        var (publicKey, secretKey) = Read(keyOrPath);
        if (publicKey is not null) return NetMQCertificate.FromPublicKey(publicKey).PublicKey;
        if (secretKey is not null) return NetMQCertificate.CreateFromSecretKey(secretKey).PublicKey;
        throw new GeckoConfigurationException($"{keyOrPath} holds no public-key: give a .key file made by `gecko keys generate`, or the 40-character key itself.");
    }

    /// <summary>Whether <paramref name="text"/> is a Z85 key: 40 characters of Z85's alphabet.</summary>
    public static bool IsZ85Key(string text) => text.Length == 40 && text.All(c => Z85Alphabet.Contains(c, StringComparison.Ordinal));

    private const string Z85Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    private static (string? Public, string? Secret) Read(string path)
    {
        string[] lines;
        try
        {
            if (new FileInfo(path) is { Exists: true, Length: > 64 * 1024 })
                throw new GeckoConfigurationException($"{path} is too large to be a key file.");
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GeckoConfigurationException($"Cannot read the key file {path}: {e.Message}", e);
        }
        string? publicKey = null, secretKey = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            // A bare key on its own line is accepted too (a key pasted into a file).
            if (IsZ85Key(line))
            {
                publicKey ??= line;
                continue;
            }
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0) continue;
            var name = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim().Trim('"');
            if (name is not ("public-key" or "secret-key")) continue;
            if (!IsZ85Key(value)) throw new GeckoConfigurationException($"{path}: {name} is not a 40-character Z85 key.");
            if (name == "public-key") publicKey = value;
            else secretKey = value;
        }
        return (publicKey, secretKey);
    }

    private static string Certificate(NetMQCertificate certificate, bool secret)
    {
        var text = new StringBuilder();
        text.Append("#   ****  Generated on ").Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)).Append(" by gecko keys generate  ****\n");
        if (secret)
        {
            text.Append("#   ZeroMQ CURVE **Secret** Certificate\n");
            text.Append("#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n");
        }
        else
        {
            text.Append("#   ZeroMQ CURVE Public Certificate\n");
            text.Append("#   Give it to the hub (gecko.core.curve.allowed-clients) or to the nodes (the hub's server key).\n");
        }
        text.Append("\nmetadata\ncurve\n");
        text.Append("    public-key = \"").Append(certificate.PublicKeyZ85).Append("\"\n");
        if (secret) text.Append("    secret-key = \"").Append(certificate.SecretKeyZ85).Append("\"\n");
        return text.ToString();
    }

    private static void WriteNew(string path, string text, bool secret)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        // Created with its final mode: a secret key is never readable by others, not even for a moment.
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = secret ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        using var stream = new FileStream(path, options);
        stream.Write(Encoding.ASCII.GetBytes(text));
    }
}
