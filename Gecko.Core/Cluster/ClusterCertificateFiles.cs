using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gecko.Core.Cluster;

/// <summary>
/// Self-signed certificates for TLS between cluster hosts (<c>gecko.cluster.tls</c>), as <c>gecko keys tls</c> writes
/// them: <c>NAME.pfx</c> holds the certificate and its private key (PKCS#12, readable by its owner only),
/// <c>NAME.crt</c> the certificate alone (PEM), to give to the hosts that should trust it.
/// </summary>
public static class ClusterCertificateFiles
{
    /// <summary>The file name suffix of the certificate with its key.</summary>
    public const string Pkcs12Suffix = ".pfx";

    /// <summary>The file name suffix of the certificate alone.</summary>
    public const string CertificateSuffix = ".crt";

    /// <summary>
    /// Makes a self-signed certificate for <paramref name="name"/> (ECDSA P-256, for client and server authentication,
    /// valid for <paramref name="validity"/> from now) and writes <c>NAME.pfx</c> (mode 0600, protected by
    /// <paramref name="password"/> when not empty) and <c>NAME.crt</c> in <paramref name="folder"/>.
    /// </summary>
    /// <returns>The certificate's SHA-256 fingerprint.</returns>
    /// <exception cref="IOException">A file of that name exists already (certificates are never overwritten) or cannot be written.</exception>
    /// <exception cref="ArgumentException">The name is not a plain name or the validity is not positive.</exception>
    public static string Generate(string folder, string name, TimeSpan validity, string? password)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.IndexOfAny(['/', '\\', '"', ',', '=', '+', '<', '>', '#', ';']) >= 0 || name is "." or "..")
            throw new ArgumentException($"'{name}' is not a plain name: give one without slashes or punctuation, such as robot or laptop.", nameof(name));
        if (validity <= TimeSpan.Zero) throw new ArgumentException($"the validity must be positive, not {validity}.", nameof(validity));
        Directory.CreateDirectory(folder);
        var pkcs12File = Path.Combine(folder, name + Pkcs12Suffix);
        var certificateFile = Path.Combine(folder, name + CertificateSuffix);
        foreach (var file in new[] { pkcs12File, certificateFile })
            if (File.Exists(file)) throw new IOException($"{file} exists already: certificates are never overwritten; remove it first or give another name.");

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Gecko cluster", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        // Each host is a server to the hosts that connect to it and a client of those it connects to (mutual TLS).
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication"), new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        // Backdated a little: a host whose clock is a few minutes behind still accepts it.
        using var certificate = request.CreateSelfSigned(now.AddHours(-1), now + validity);

        WriteNew(pkcs12File, certificate.Export(X509ContentType.Pkcs12, string.IsNullOrEmpty(password) ? null : password), secret: true);
        WriteNew(certificateFile, Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n"), secret: false);
        return ClusterTlsSettings.Fingerprint(certificate);
    }

    private static void WriteNew(string path, byte[] bytes, bool secret)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        // Created with its final mode: a private key is never readable by others, not even for a moment.
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = secret ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        using var stream = new FileStream(path, options);
        stream.Write(bytes);
    }
}
