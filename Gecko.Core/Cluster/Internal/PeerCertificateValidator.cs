using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;

namespace Gecko.Core.Cluster.Internal;

/// <summary>
/// Decides, during each TLS handshake between hosts (both the side that connects and the side that accepts), whether
/// the peer's certificate is trusted (<c>gecko.cluster.tls.trust</c>). A refusal is logged with the peer's address and
/// its certificate's fingerprint, so the host that cannot join can be told which certificate to trust.
/// </summary>
internal sealed class PeerCertificateValidator
{
    private readonly Func<X509Certificate2, X509Chain?, SslPolicyErrors, string?> _refusal;

    private PeerCertificateValidator(Func<X509Certificate2, X509Chain?, SslPolicyErrors, string?> refusal) => _refusal = refusal;

    /// <summary>Trusts exactly the certificates with these SHA-256 fingerprints, self-signed or not; the dates still count.</summary>
    public static PeerCertificateValidator Pinned(IReadOnlySet<string> fingerprints) =>
        new((certificate, _, _) =>
            !fingerprints.Contains(ClusterTlsSettings.Fingerprint(certificate))
                ? "it is neither this host's certificate nor one in gecko.cluster.tls.trusted-certificates"
                : OutOfDate(certificate));

    /// <summary>Trusts certificates issued (directly or through intermediates the peer sends) by <paramref name="authority"/>.</summary>
    public static PeerCertificateValidator IssuedBy(X509Certificate2 authority) =>
        new((certificate, presented, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            // Hosts' certificates carry no revocation lists to fetch: a robot's network often has no way out.
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (presented is not null)
                foreach (var element in presented.ChainElements)
                    if (!element.Certificate.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
                        chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            return chain.Build(certificate)
                ? null
                : $"it is not issued by gecko.cluster.tls.ca-certificate ({string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct())})";
        });

    /// <summary>Trusts certificates that chain to an authority the operating system trusts (the host name is not checked).</summary>
    public static PeerCertificateValidator SystemTrusted() =>
        new((_, _, errors) => (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None
            ? null
            : $"the operating system does not trust it ({errors & ~SslPolicyErrors.RemoteCertificateNameMismatch})");

    /// <summary>Trusts any certificate: the connection is encrypted but the peer is not authenticated.</summary>
    public static PeerCertificateValidator AnyCertificate() => new((_, _, _) => null);

    /// <summary>Akka.Remote's callback: true when the peer is trusted.</summary>
    public bool Validate(X509Certificate2? certificate, X509Chain? chain, string remotePeer, SslPolicyErrors errors, ILoggingAdapter log)
    {
        if (certificate is null)
        {
            log.Warning("gecko.cluster.tls: refused {0}: it presented no certificate (is TLS on there?)", remotePeer);
            return false;
        }
        var refusal = _refusal(certificate, chain, errors);
        if (refusal is null) return true;
        log.Warning("gecko.cluster.tls: refused {0}: its certificate {1} (SHA-256 {2}): {3}", remotePeer, certificate.Subject,
            ClusterTlsSettings.Fingerprint(certificate), refusal);
        return false;
    }

    private static string? OutOfDate(X509Certificate2 certificate)
    {
        var now = DateTime.Now;
        return now < certificate.NotBefore || now > certificate.NotAfter
            ? $"it is valid from {certificate.NotBefore:yyyy-MM-dd} to {certificate.NotAfter:yyyy-MM-dd}, not now"
            : null;
    }
}
