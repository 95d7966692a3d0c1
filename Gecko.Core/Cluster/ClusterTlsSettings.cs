using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;
using Gecko.Core.Cluster.Internal;

namespace Gecko.Core.Cluster;

/// <summary>How hosts trust each other's certificates (<c>gecko.cluster.tls.trust</c>).</summary>
public enum ClusterTlsTrust
{
    /// <summary>A peer must present this host's own certificate or one listed in <c>trusted-certificates</c> (pinning).</summary>
    Pinned,

    /// <summary>A peer's certificate must be issued by <c>ca-certificate</c>.</summary>
    Ca,

    /// <summary>A peer's certificate must chain to a certificate authority the operating system trusts.</summary>
    System,

    /// <summary>Any certificate: encryption without authentication (anyone who can reach the port can join).</summary>
    Any,
}

/// <summary>
/// TLS between cluster hosts (<c>gecko.cluster.tls</c> in <c>reference.conf</c>): Akka.Remote's DotNetty transport
/// encrypts every connection, each host presents a certificate from a PKCS#12 file and checks its peer's (mutual TLS),
/// both ways. Read once and validated on creation, including that the certificate file can be opened.
/// </summary>
public sealed record ClusterTlsSettings
{
    /// <summary>The environment variable read for the certificate's password when neither password nor password-file is set.</summary>
    public const string PasswordVariable = "GECKO_CLUSTER_TLS_PASSWORD";

    /// <summary>Whether connections between hosts use TLS.</summary>
    public required bool Enabled { get; init; }

    /// <summary>The PKCS#12 file (<c>.pfx</c>, <c>.p12</c>) with this host's certificate and its private key.</summary>
    public required string Certificate { get; init; }

    /// <summary>The password of <see cref="Certificate"/> given in the config itself; empty when none.</summary>
    public required string Password { get; init; }

    /// <summary>A file whose first line is the password of <see cref="Certificate"/>; empty when none.</summary>
    public required string PasswordFile { get; init; }

    /// <summary>How peers' certificates are checked.</summary>
    public required ClusterTlsTrust Trust { get; init; }

    /// <summary>With <see cref="ClusterTlsTrust.Pinned"/>: further peers' certificates, as SHA-256 fingerprints or certificate files.</summary>
    public required IReadOnlyList<string> TrustedCertificates { get; init; }

    /// <summary>With <see cref="ClusterTlsTrust.Ca"/>: the certificate file of the authority that issued the hosts' certificates.</summary>
    public required string CaCertificate { get; init; }

    /// <summary>The names <c>trust</c> takes in the config, in the order of <see cref="ClusterTlsTrust"/>.</summary>
    public static readonly IReadOnlyList<string> TrustNames = ["pinned", "ca", "system", "any"];

    /// <summary>Reads <c>tls</c> of a <c>gecko.cluster</c> section; <see cref="ClusterSettings.Create"/> validates it.</summary>
    internal static ClusterTlsSettings Read(Config cluster)
    {
        var trust = cluster.GetString("tls.trust") ?? "";
        var index = TrustNames.ToList().IndexOf(trust.Trim());
        if (index < 0)
            throw new GeckoConfigurationException($"gecko.cluster.tls.trust = '{trust}' is not a way to trust peers: use {string.Join(", ", TrustNames)}.");
        return new ClusterTlsSettings
        {
            Enabled = cluster.GetBoolean("tls.enabled"),
            Certificate = cluster.GetString("tls.certificate") ?? "",
            Password = cluster.GetString("tls.password") ?? "",
            PasswordFile = cluster.GetString("tls.password-file") ?? "",
            Trust = (ClusterTlsTrust)index,
            TrustedCertificates = cluster.GetStringList("tls.trusted-certificates")?.Select(t => t.Trim()).ToArray() ?? [],
            CaCertificate = cluster.GetString("tls.ca-certificate") ?? "",
        };
    }

    /// <summary>
    /// Checks every value and, when TLS is on, that the certificate opens with its password, holds its private key and
    /// is within its validity, and that the certificates it trusts can be read; returns this instance.
    /// </summary>
    /// <exception cref="GeckoConfigurationException">A value is missing or a file cannot be used; the message names the key and the fix.</exception>
    public ClusterTlsSettings Validated()
    {
        if (!Enabled) return this;
        using (LoadCertificate()) { }
        _ = PeerValidator();
        return this;
    }

    /// <summary>Opens this host's certificate with its private key.</summary>
    /// <exception cref="GeckoConfigurationException">The file is missing, unreadable, not PKCS#12, the password is wrong, there is no private key, or it has expired.</exception>
    public X509Certificate2 LoadCertificate()
    {
        if (string.IsNullOrWhiteSpace(Certificate))
            throw new GeckoConfigurationException("gecko.cluster.tls is enabled but certificate is empty: name this host's PKCS#12 file (make one with `gecko keys tls --name NAME`), e.g. --cluster-tls-certificate keys/robot.pfx.");
        if (!File.Exists(Certificate))
            throw new GeckoConfigurationException($"gecko.cluster.tls.certificate: {Certificate} does not exist: make one with `gecko keys tls --name NAME`, or give the path of this host's .pfx file.");
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(Certificate, ResolvePassword(), X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException e)
        {
            throw new GeckoConfigurationException($"gecko.cluster.tls.certificate: cannot open {Certificate} ({e.Message.TrimEnd('.')}): it must be a PKCS#12 file (.pfx) and its password right (password-file, or {PasswordVariable}).", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GeckoConfigurationException($"gecko.cluster.tls.certificate: cannot read {Certificate}: {e.Message}", e);
        }
        try
        {
            if (!certificate.HasPrivateKey)
                throw new GeckoConfigurationException($"gecko.cluster.tls.certificate: {Certificate} holds no private key: a host needs its own key to prove who it is; export the .pfx with its key.");
            var now = DateTime.Now;
            if (now < certificate.NotBefore || now > certificate.NotAfter)
                throw new GeckoConfigurationException($"gecko.cluster.tls.certificate: {Certificate} is valid from {certificate.NotBefore:yyyy-MM-dd} to {certificate.NotAfter:yyyy-MM-dd}, not now: make a new one.");
            return certificate;
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    /// <summary>The SHA-256 fingerprint of <paramref name="certificate"/>, as <c>gecko keys tls</c> prints it (hex pairs joined by ':').</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        string.Join(':', certificate.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>
    /// Akka.Remote's TLS setup: this host's certificate, mutual authentication always (a host without a trusted
    /// certificate cannot connect, nor accept connections), no host-name check (hosts are often named by IP address),
    /// and the peer check of <see cref="Trust"/>.
    /// </summary>
    /// <exception cref="GeckoConfigurationException">TLS is off, or a file cannot be used.</exception>
    public DotNettySslSetup ToSslSetup()
    {
        if (!Enabled) throw new GeckoConfigurationException("gecko.cluster.tls is off: there is no TLS setup to make.");
        var validator = PeerValidator();
        return new DotNettySslSetup(LoadCertificate(), suppressValidation: false, requireMutualAuthentication: true,
            validateCertificateHostname: false, customValidator: validator.Validate);
    }

    /// <summary>Whom this host trusts, for start lines: <c>pinned certificates (this host's and 2 more)</c>.</summary>
    public string Description => Trust switch
    {
        ClusterTlsTrust.Pinned => TrustedCertificates.Count == 0 ? "trusting this host's own certificate only" : $"trusting this host's certificate and {TrustedCertificates.Count} more",
        ClusterTlsTrust.Ca => $"trusting certificates issued by {CaCertificate}",
        ClusterTlsTrust.System => "trusting certificates the system's authorities issued",
        _ => "trusting any certificate (encrypted, not authenticated)",
    };

    /// <summary>The settings without the password, which never goes into a log.</summary>
    public override string ToString() =>
        $"ClusterTlsSettings {{ Enabled = {Enabled}, Certificate = {Certificate}, Password = {(Password.Length > 0 ? "(set)" : "")}, PasswordFile = {PasswordFile}, Trust = {Trust}, TrustedCertificates = [{string.Join(", ", TrustedCertificates)}], CaCertificate = {CaCertificate} }}";

    private PeerCertificateValidator PeerValidator()
    {
        switch (Trust)
        {
            case ClusterTlsTrust.Pinned:
                var fingerprints = new HashSet<string>(StringComparer.Ordinal);
                using (var own = LoadCertificate()) fingerprints.Add(Fingerprint(own));
                foreach (var entry in TrustedCertificates) fingerprints.Add(TrustedFingerprint(entry));
                return PeerCertificateValidator.Pinned(fingerprints);
            case ClusterTlsTrust.Ca:
                if (string.IsNullOrWhiteSpace(CaCertificate))
                    throw new GeckoConfigurationException("gecko.cluster.tls.trust = ca but ca-certificate is empty: name the certificate file (.crt, .pem) of the authority that issued the hosts' certificates.");
                return PeerCertificateValidator.IssuedBy(ReadPublicCertificate(CaCertificate, "gecko.cluster.tls.ca-certificate"));
            case ClusterTlsTrust.System:
                return PeerCertificateValidator.SystemTrusted();
            default:
                return PeerCertificateValidator.AnyCertificate();
        }
    }

    private string ResolvePassword()
    {
        if (!string.IsNullOrEmpty(PasswordFile))
        {
            try
            {
                return File.ReadLines(PasswordFile).FirstOrDefault()?.TrimEnd('\r') ?? "";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new GeckoConfigurationException($"gecko.cluster.tls.password-file: cannot read {PasswordFile}: {e.Message}", e);
            }
        }
        if (Password.Length > 0) return Password;
        return Environment.GetEnvironmentVariable(PasswordVariable) ?? "";
    }

    /// <summary>A fingerprint written in hex (pairs may be separated by ':'), or a certificate file whose fingerprint is taken.</summary>
    private static string TrustedFingerprint(string entry)
    {
        var hex = entry.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (hex.Length == 64 && hex.All(Uri.IsHexDigit) && !File.Exists(entry))
            return string.Join(':', Enumerable.Range(0, 32).Select(i => hex.Substring(i * 2, 2).ToUpperInvariant()));
        using var certificate = ReadPublicCertificate(entry, "gecko.cluster.tls.trusted-certificates");
        return Fingerprint(certificate);
    }

    /// <summary>A certificate without its key: PEM or DER (.crt, .pem, .cer), as <c>gecko keys tls</c> writes NAME.crt.</summary>
    private static X509Certificate2 ReadPublicCertificate(string path, string key)
    {
        if (!File.Exists(path))
            throw new GeckoConfigurationException($"{key}: '{path}' is neither a SHA-256 fingerprint (64 hex digits) nor an existing certificate file (.crt from `gecko keys tls`).");
        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new GeckoConfigurationException($"{key}: cannot read the certificate {path} ({e.Message.TrimEnd('.')}): give a PEM or DER certificate file.", e);
        }
    }
}
