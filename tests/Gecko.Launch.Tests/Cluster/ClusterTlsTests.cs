using System.Net;
using Gecko.Core.Cluster;
using Gecko.Testing;
using NetMQ;
using Xunit;

namespace Gecko.Launch.Tests.Cluster;

/// <summary>
/// Real gecko core hosts on 127.0.0.1 with TLS between them (gecko.cluster.tls, certificates made as gecko keys tls
/// makes them): hosts with a trusted certificate join and route; a host without TLS, or with a certificate the others
/// do not trust, never joins; an unusable certificate stops gecko core before anything starts.
/// </summary>
public sealed class ClusterTlsTests : IDisposable
{
    private static readonly TimeSpan Timeout = ClusterHostProcess.Timeout;

    /// <summary>
    /// How long a refused host is watched, after the refusal itself was seen, to show it does not join after all. A
    /// negative check can only be bounded: a host that gets in joins within a second or two here (the seed answers at
    /// once, on loopback), and Akka retries a refused association every 5 s, so 5 s covers a retry too.
    /// </summary>
    private static readonly TimeSpan RefusedWindow = TimeSpan.FromSeconds(5);

    private readonly TempFolder _temp = new("gecko-cluster-tls-test-");

    public void Dispose() => _temp.Dispose();

    private string Certificate(string name, string? password = null)
    {
        ClusterCertificateFiles.Generate(_temp.Path, name, TimeSpan.FromDays(1), password);
        return _temp.Combine(name + ClusterCertificateFiles.Pkcs12Suffix);
    }

    [Fact]
    public async Task Two_hosts_with_the_same_certificate_must_join_over_tls_and_route_every_message()
    {
        // One certificate copied to both hosts, with a password from a file: the simplest setup the README describes.
        var certificate = Certificate("robot", password: "pi and laptop");
        var passwordFile = _temp.Write("password", "pi and laptop\n");
        string[] tls = ["--cluster-tls-certificate", certificate, "--cluster-tls-password-file", passwordFile];
        using var a = await ClusterHostProcess.CoreAsync("A", _temp, seed: null, tls);
        using var b = await ClusterHostProcess.CoreAsync("B", _temp, a, tls);
        Assert.StartsWith("akka.ssl.tcp://gecko@127.0.0.1:", a.Address);
        Assert.StartsWith("akka.ssl.tcp://gecko@127.0.0.1:", b.Address);
        await a.SeesUpAsync(a, b);
        await b.SeesUpAsync(a, b);

        // External PUB on A → external SUB on B, every message once, in order.
        using var publisher = ZeroMq.Publisher(a.InAddress);
        using var atB = ZeroMq.Subscriber(b.OutAddress, "sensors/");
        ZeroMq.Handshake(publisher, "sensors/probe", Timeout, atB);
        const int count = 2000;
        publisher.SendNumbers("sensors/imu", 0, count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), atB.ReceiveNumbersUntil("sensors/imu", count - 1, Timeout));
        var reportAtB = await b.ReportAsync(r => ClusterHostProcess.ClusterCounts(r, "sensors/imu")?.In == count, "with every sensors/imu message in");
        Assert.Equal(count, ClusterHostProcess.ClusterCounts(reportAtB, "sensors/imu")?.In);
    }

    [Fact]
    public async Task Hosts_with_each_others_certificates_trusted_must_join()
    {
        // Per-host certificates: each host trusts the other's, by fingerprint file (.crt) on one side and by the
        // fingerprint gecko keys tls printed on the other.
        var robot = Certificate("robot");
        var laptopFingerprint = ClusterCertificateFiles.Generate(_temp.Path, "laptop", TimeSpan.FromDays(1), password: null);
        using var a = await ClusterHostProcess.CoreAsync("A", _temp, seed: null,
            "--cluster-tls-certificate", robot, "--cluster-tls-trust", laptopFingerprint);
        using var b = await ClusterHostProcess.CoreAsync("B", _temp, a,
            "--cluster-tls-certificate", _temp.Combine("laptop.pfx"), "--cluster-tls-trust", _temp.Combine("robot.crt"));
        await a.SeesUpAsync(a, b);
        await b.SeesUpAsync(a, b);
    }

    [Fact]
    public async Task A_host_without_tls_must_not_join_a_tls_host()
    {
        using var a = await ClusterHostProcess.CoreAsync("A", _temp, seed: null, "--cluster-tls-certificate", Certificate("robot"));
        await a.SeesUpAsync(a);
        // B dials A's port in plain TCP (its seed address has to say akka.tcp: a host without TLS has no other).
        using var b = await ClusterHostProcess.CoreAsync("B", _temp, a);
        Assert.StartsWith("akka.tcp://", b.Address);

        // A saw B's plain bytes and dropped the connection (DotNetty's words in Akka's log) ...
        await a.Process.WaitForLineSeenOrNewAsync(l => l.Contains("not an SSL/TLS record", StringComparison.Ordinal), Timeout);
        // ... and B stays out.
        await StaysOutAsync(a, b);
    }

    [Fact]
    public async Task A_host_with_an_untrusted_certificate_must_not_join()
    {
        using var a = await ClusterHostProcess.CoreAsync("A", _temp, seed: null, "--cluster-tls-certificate", Certificate("robot"));
        await a.SeesUpAsync(a);
        using var b = await ClusterHostProcess.CoreAsync("B", _temp, a, "--cluster-tls-certificate", Certificate("intruder"));

        // B, connecting, checks A's certificate first and refuses it (A refuses B's likewise when it gets that far).
        var refusal = await b.Process.WaitForLineSeenOrNewAsync(l => l.Contains("gecko.cluster.tls: refused", StringComparison.Ordinal), Timeout);
        Assert.Contains("CN=robot", refusal);
        await StaysOutAsync(a, b);
    }

    [Fact]
    public async Task Core_must_refuse_an_unusable_certificate_before_it_starts()
    {
        var garbage = _temp.Write("garbage.pfx", "not a certificate");
        var locked = Certificate("locked", password: "right");
        (string[] Args, string Expected)[] cases =
        [
            (["--cluster-tls-certificate", _temp.Combine("missing.pfx")], "does not exist"),
            (["--cluster-tls-certificate", garbage], "cannot open"),
            (["--cluster-tls-certificate", locked], "cannot open"),
            (["--cluster-tls-trust", "AB"], "--cluster-tls-trust needs --cluster-tls-certificate"),
            (["--cluster-tls-certificate", locked, "--cluster-tls-password-file", _temp.Combine("missing")], "password-file: cannot read"),
        ];
        foreach (var (args, expected) in cases)
        {
            using var core = ChildProcess.Gecko(["core", "--in", "tcp://127.0.0.1:0", "--out", "tcp://127.0.0.1:0", "--cluster-port", "0", .. args],
                new Dictionary<string, string> { ["TMPDIR"] = _temp.Path });
            var (code, lines) = await core.RunToEndAsync(Timeout);
            Assert.Equal(2, code);
            var line = Assert.Single(lines);
            Assert.StartsWith("stderr: gecko core: ", line);
            Assert.Contains(expected, line);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Cluster_traffic_must_be_unreadable_on_the_wire_with_tls_and_readable_without(bool tls)
    {
        // A's cluster endpoint sits behind a proxy that keeps every byte: A listens on 127.0.0.1 and announces
        // 127.0.0.2 (gecko.cluster.public-hostname), where the proxy listens on the same port, so B's connection to A,
        // which carries everything B sends A, goes through it.
        string[] tlsFlags = tls ? ["--cluster-tls-certificate", Certificate("robot")] : [];
        using var a = await ClusterHostProcess.LaunchAsync("A", _temp, _temp.Write("a.conf", "gecko.cluster.public-hostname = \"127.0.0.2\""), seed: null,
            ["--cluster", .. tlsFlags]);
        Assert.StartsWith("127.0.0.2:", a.HostPort);
        var port = int.Parse(a.HostPort["127.0.0.2:".Length..], System.Globalization.CultureInfo.InvariantCulture);
        using var proxy = new TcpLinkProxy(new IPEndPoint(IPAddress.Loopback, port), new IPEndPoint(IPAddress.Parse("127.0.0.2"), port)) { RecordLimit = 8 << 20 };
        using var b = await ClusterHostProcess.CoreAsync("B", _temp, a, tlsFlags);
        await a.SeesUpAsync(a, b);
        await b.SeesUpAsync(a, b);

        // External PUB on B → SUB on A: every message crosses B → proxy → A.
        const string marker = "GECKO-PLAINTEXT-MARKER-7f3a";
        var payload = System.Text.Encoding.ASCII.GetBytes(marker);
        using var publisher = ZeroMq.Publisher(b.InAddress);
        using var atA = ZeroMq.Subscriber(a.OutAddress, "secret/");
        ZeroMq.Handshake(publisher, "secret/probe", Timeout, atA);
        const int count = 200;
        for (var i = 0; i < count; i++) publisher.SendMoreFrame("secret/marker").SendFrame(payload);
        var received = 0;
        var deadline = DateTime.UtcNow + Timeout;
        while (received < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{received} of {count} messages at A within {Timeout}");
            if (atA.TryReceive(TimeSpan.FromMilliseconds(100)) is { Topic: "secret/marker" } message && message.Payload.AsSpan().SequenceEqual(payload)) received++;
        }

        var recorded = proxy.Recorded();
        var toA = recorded.Sum(r => (long)r.ToTarget.Length);
        Assert.True(toA >= count * payload.Length, $"only {toA} bytes went through the proxy to A");
        var inTheClear = recorded.Sum(r => Occurrences(r.ToTarget, payload) + Occurrences(r.FromTarget, payload));
        if (tls)
        {
            Assert.Equal(0, inTheClear);
            Assert.DoesNotContain(recorded, r => Occurrences(r.ToTarget, "secret/marker"u8.ToArray()) > 0);
        }
        else
        {
            Assert.True(inTheClear >= count, $"the marker was seen {inTheClear} times in plain TCP, expected at least {count}");
        }
    }

    private static int Occurrences(byte[] haystack, byte[] needle)
    {
        var found = 0;
        for (var span = haystack.AsSpan(); span.IndexOf(needle) is var at and >= 0; span = span[(at + needle.Length)..]) found++;
        return found;
    }

    [Fact]
    public async Task Launch_must_refuse_a_launch_file_whose_certificate_is_missing_at_its_line()
    {
        var file = _temp.Write("tls.conf", $$"""
            gecko.cluster {
              enabled = on
              tls {
                enabled = on
                certificate = {{System.Text.Json.JsonSerializer.Serialize(_temp.Combine("missing.pfx"))}}
              }
            }
            """);
        using var launch = ChildProcess.Gecko(["launch", file, "--check"], new Dictionary<string, string> { ["TMPDIR"] = _temp.Path });
        var (code, lines) = await launch.RunToEndAsync(Timeout);
        Assert.Equal(2, code);
        Assert.Contains(lines, l => l.Contains("tls.conf:", StringComparison.Ordinal) && l.Contains("gecko.cluster.tls.certificate:", StringComparison.Ordinal)
            && l.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("nothing was started", StringComparison.Ordinal));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task KeysTls_must_write_a_pkcs12_with_the_password_from_the_environment_and_print_its_fingerprint()
    {
        using var keys = ChildProcess.Gecko(["keys", "tls", "--name", "robot", "--out", _temp.Combine("keys"), "--days", "30"],
            new Dictionary<string, string> { [ClusterTlsSettings.PasswordVariable] = "from the environment" });
        var (code, lines) = await keys.RunToEndAsync(Timeout);
        Assert.True(code == 0, string.Join('\n', lines));

        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
            _temp.Combine("keys", "robot.pfx"), "from the environment");
        Assert.Equal($"fingerprint {ClusterTlsSettings.Fingerprint(certificate)} (SHA-256)", lines[0]);
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal("CN=robot, O=Gecko cluster", certificate.Subject);
        Assert.InRange((certificate.NotAfter - DateTime.Now).TotalDays, 29, 31);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_temp.Combine("keys", "robot.pfx")));
        using var publicOnly = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(_temp.Combine("keys", "robot.crt"));
        Assert.Equal(certificate.Thumbprint, publicOnly.Thumbprint);
        Assert.False(publicOnly.HasPrivateKey);

        using var again = ChildProcess.Gecko(["keys", "tls", "--name", "robot", "--out", _temp.Combine("keys")]);
        var (againCode, againLines) = await again.RunToEndAsync(Timeout);
        Assert.Equal(2, againCode);
        Assert.Contains("never overwritten", Assert.Single(againLines));
        using var badDays = ChildProcess.Gecko(["keys", "tls", "--name", "other", "--out", _temp.Combine("keys"), "--days", "0"]);
        var (badCode, badLines) = await badDays.RunToEndAsync(Timeout);
        Assert.Equal(2, badCode);
        Assert.Equal("stderr: gecko keys tls: --days 0 is out of range: give between 1 and 36500, e.g. --days 3650.", Assert.Single(badLines));
    }

    /// <summary>
    /// For <see cref="RefusedWindow"/>, every line <paramref name="a"/> prints is read: none may say that
    /// <paramref name="b"/> is joining or up, and A's reports (every 0.5 s) must keep saying one member; B never says
    /// it is up itself.
    /// </summary>
    private static async Task StaysOutAsync(ClusterHostProcess a, ClusterHostProcess b)
    {
        var deadline = DateTime.UtcNow + RefusedWindow;
        var reportsWithOneMember = 0;
        while (DateTime.UtcNow < deadline)
        {
            var line = await a.Process.TryWaitForLineAsync(_ => true, deadline - DateTime.UtcNow);
            if (line is null) break;
            Assert.False(line.Contains(b.Address, StringComparison.Ordinal) && (line.Contains("is joining", StringComparison.Ordinal) || line.Contains("is up", StringComparison.Ordinal)),
                $"A let B in: {line}");
            Assert.DoesNotContain(" members, ", line);
            if (line.Contains($"{a.Address}: 1 member, 1 up", StringComparison.Ordinal)) reportsWithOneMember++;
        }
        Assert.True(reportsWithOneMember >= 3, $"A reported one member {reportsWithOneMember} times in {RefusedWindow}");
        Assert.DoesNotContain(b.Process.Transcript.Split('\n'), l => l.StartsWith("gecko: cluster: this host", StringComparison.Ordinal) && l.EndsWith(" is up", StringComparison.Ordinal));
        Assert.Null(await b.Process.TryWaitForLineAsync(l => l.StartsWith("gecko: cluster: this host", StringComparison.Ordinal) && l.EndsWith(" is up", StringComparison.Ordinal),
            TimeSpan.FromMilliseconds(200)));
    }
}
