using Akka.Configuration;
using Gecko.Core.Cluster;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests.Configuration;

/// <summary>
/// <c>gecko.cluster.tls</c>: certificates made by <see cref="ClusterCertificateFiles"/> are opened when the settings are
/// created, every unusable file or value is refused with a message naming the key, and the Akka setup carries TLS.
/// </summary>
public sealed class ClusterTlsSettingsSpec : IDisposable
{
    private readonly TempFolder _temp = new("gecko-tls-spec-");

    public void Dispose() => _temp.Dispose();

    private static ClusterSettings Create(string tls) =>
        ClusterSettings.Create(ConfigurationFactory.ParseString($"gecko.cluster {{ enabled = on, port = 0, tls {{ {tls} }} }}"));

    private static string Quoted(string path) => System.Text.Json.JsonSerializer.Serialize(path);

    [Fact]
    public void Create_must_open_the_certificate_and_use_the_ssl_protocol_for_seeds()
    {
        var fingerprint = ClusterCertificateFiles.Generate(_temp.Path, "robot", TimeSpan.FromDays(1), password: null);

        var settings = ClusterSettings.Create(ConfigurationFactory.ParseString($$"""
            gecko.cluster { enabled = on, seed-nodes = ["10.0.0.1:4053", "akka.ssl.tcp://gecko@10.0.0.2:4053"], tls { enabled = on, certificate = {{Quoted(_temp.Combine("robot.pfx"))}} } }
            """));

        Assert.Equal("akka.ssl.tcp", settings.Protocol);
        Assert.Equal(["akka.ssl.tcp://gecko@10.0.0.1:4053", "akka.ssl.tcp://gecko@10.0.0.2:4053"], settings.JoinAddresses);
        Assert.True(settings.ToAkkaConfig(1 << 20).GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
        using var certificate = settings.Tls.LoadCertificate();
        Assert.Equal(fingerprint, ClusterTlsSettings.Fingerprint(certificate));
        Assert.True(certificate.HasPrivateKey);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", fingerprint);
        var setup = settings.Tls.ToSslSetup();
        Assert.True(setup.RequireMutualAuthentication);
        Assert.False(setup.SuppressValidation);
        Assert.NotNull(setup.CustomValidator);
    }

    [Fact]
    public void Create_must_read_the_password_from_the_file_the_setting_or_the_environment_variable()
    {
        ClusterCertificateFiles.Generate(_temp.Path, "locked", TimeSpan.FromDays(1), password: "s3cret word");
        var pfx = Quoted(_temp.Combine("locked.pfx"));
        var passwordFile = _temp.Write("password", "s3cret word\n");

        Assert.True(Create($"enabled = on, certificate = {pfx}, password-file = {Quoted(passwordFile)}").Tls.Enabled);
        Assert.True(Create($"enabled = on, certificate = {pfx}, password = \"s3cret word\"").Tls.Enabled);
        var wrong = Assert.Throws<GeckoConfigurationException>(() => Create($"enabled = on, certificate = {pfx}, password = wrong"));
        Assert.Contains("gecko.cluster.tls.certificate: cannot open", wrong.Message);
        Assert.Contains(ClusterTlsSettings.PasswordVariable, wrong.Message);
        Assert.DoesNotContain("s3cret", Create($"enabled = on, certificate = {pfx}, password = \"s3cret word\"").ToString());
    }

    [Fact]
    public void Create_must_take_trusted_certificates_as_fingerprints_or_files_and_a_ca()
    {
        ClusterCertificateFiles.Generate(_temp.Path, "a", TimeSpan.FromDays(1), password: null);
        var other = ClusterCertificateFiles.Generate(_temp.Path, "b", TimeSpan.FromDays(1), password: null);
        var pfx = Quoted(_temp.Combine("a.pfx"));

        Assert.Equal(2, Create($"enabled = on, certificate = {pfx}, trusted-certificates = [{Quoted(other)}, {Quoted(_temp.Combine("b.crt"))}]").Tls.TrustedCertificates.Count);
        Assert.Equal(ClusterTlsTrust.Ca, Create($"enabled = on, certificate = {pfx}, trust = ca, ca-certificate = {Quoted(_temp.Combine("b.crt"))}").Tls.Trust);
        Assert.Equal(ClusterTlsTrust.Any, Create($"enabled = on, certificate = {pfx}, trust = any").Tls.Trust);
    }

    [Fact]
    public void Create_must_refuse_unusable_certificates_and_values_naming_the_key()
    {
        ClusterCertificateFiles.Generate(_temp.Path, "a", TimeSpan.FromDays(1), password: null);
        var pfx = Quoted(_temp.Combine("a.pfx"));
        var garbage = Quoted(_temp.Write("garbage.pfx", "not a certificate"));

        (string Tls, string Expected)[] cases =
        [
            ("enabled = on", "gecko.cluster.tls is enabled but certificate is empty"),
            ($"enabled = on, certificate = {Quoted(_temp.Combine("missing.pfx"))}", "does not exist"),
            ($"enabled = on, certificate = {garbage}", "gecko.cluster.tls.certificate: cannot open"),
            ($"enabled = on, certificate = {Quoted(_temp.Combine("a.crt"))}", "gecko.cluster.tls.certificate: cannot open"),
            ($"enabled = on, certificate = {pfx}, password-file = {Quoted(_temp.Combine("missing"))}", "gecko.cluster.tls.password-file: cannot read"),
            ($"enabled = on, certificate = {pfx}, trust = maybe", "gecko.cluster.tls.trust = 'maybe' is not a way to trust peers: use pinned, ca, system, any"),
            ($"enabled = on, certificate = {pfx}, trusted-certificates = [abc]", "gecko.cluster.tls.trusted-certificates: 'abc' is neither"),
            ($"enabled = on, certificate = {pfx}, trusted-certificates = [{garbage}]", "gecko.cluster.tls.trusted-certificates: cannot read the certificate"),
            ($"enabled = on, certificate = {pfx}, trust = ca", "ca-certificate is empty"),
            ($"enabled = on, certificate = {pfx}, trust = ca, ca-certificate = {Quoted(_temp.Combine("nope.crt"))}", "gecko.cluster.tls.ca-certificate"),
        ];
        foreach (var (tls, expected) in cases)
        {
            var error = Assert.Throws<GeckoConfigurationException>(() => Create(tls));
            Assert.Contains(expected, error.Message);
        }
        // Off, nothing is read.
        Assert.False(Create($"enabled = off, certificate = {Quoted(_temp.Combine("missing.pfx"))}").Tls.Enabled);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Generate_must_write_the_key_for_its_owner_only_and_never_overwrite()
    {
        ClusterCertificateFiles.Generate(_temp.Path, "robot", TimeSpan.FromDays(1), password: null);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_temp.Combine("robot.pfx")));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(_temp.Combine("robot.crt")));
        Assert.Throws<IOException>(() => ClusterCertificateFiles.Generate(_temp.Path, "robot", TimeSpan.FromDays(1), password: null));
        Assert.Throws<ArgumentException>(() => ClusterCertificateFiles.Generate(_temp.Path, "../robot", TimeSpan.FromDays(1), password: null));
    }
}
