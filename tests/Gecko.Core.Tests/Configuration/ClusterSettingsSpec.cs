using System.Text.RegularExpressions;
using Akka.Configuration;
using Gecko.Core.Cluster;
using Gecko.Core.Configuration;
using Xunit;

namespace Gecko.Core.Tests.Configuration;

/// <summary><c>gecko.cluster</c> in the embedded reference.conf: every default asserted, bad values refused, the Akka config it makes.</summary>
public sealed class ClusterSettingsSpec
{
    private static readonly string[] Keys =
    [
        "enabled", "hostname", "port", "public-hostname", "public-port", "seed-nodes", "roles", "failure-detection.heartbeat-interval",
        "failure-detection.acceptable-heartbeat-pause", "split-brain-resolver.strategy", "split-brain-resolver.stable-after",
        "rejoin", "rejoin-after", "interest-interval", "send-window", "send-window-bytes", "tls.enabled", "tls.certificate", "tls.password", "tls.password-file",
        "tls.trust", "tls.trusted-certificates", "tls.ca-certificate",
    ];

    [Fact]
    public void Default_must_have_every_reference_value()
    {
        var settings = ClusterSettings.Create(ConfigurationFactory.Empty);

        Assert.False(settings.Enabled);
        Assert.Equal("127.0.0.1", settings.Hostname);
        Assert.Equal(4053, settings.Port);
        Assert.Equal("", settings.PublicHostname);
        Assert.Equal(0, settings.PublicPort);
        Assert.Empty(settings.SeedNodes);
        Assert.Empty(settings.Roles);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(4), settings.AcceptableHeartbeatPause);
        Assert.Equal("keep-majority", settings.SplitBrainStrategy);
        Assert.Equal(TimeSpan.FromSeconds(7), settings.StableAfter);
        Assert.True(settings.Rejoin);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.RejoinAfter);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.InterestInterval);
        Assert.Equal(10_000, settings.SendWindow);
        Assert.Equal(64L << 20, settings.SendWindowBytes);
        Assert.False(settings.Tls.Enabled);
        Assert.Equal("", settings.Tls.Certificate);
        Assert.Equal("", settings.Tls.Password);
        Assert.Equal("", settings.Tls.PasswordFile);
        Assert.Equal(ClusterTlsTrust.Pinned, settings.Tls.Trust);
        Assert.Empty(settings.Tls.TrustedCertificates);
        Assert.Equal("", settings.Tls.CaCertificate);
        Assert.Equal("akka.tcp", settings.Protocol);
        Assert.Equal(settings, ClusterSettings.Default);
    }

    [Fact]
    public void Reference_must_have_no_key_this_spec_does_not_assert_and_a_comment_on_each()
    {
        var cluster = GeckoConfig.Defaults.GetConfig("gecko.cluster");
        var keys = cluster.AsEnumerable().Select(entry => entry.Key).Order();
        Assert.Equal(Keys.Select(k => k.Split('.')[0]).Distinct().Order(), keys);
        foreach (var group in new[] { "failure-detection", "split-brain-resolver", "tls" })
            Assert.Equal(Keys.Where(k => k.StartsWith(group + ".", StringComparison.Ordinal)).Select(k => k[(group.Length + 1)..]).Order(),
                cluster.GetConfig(group).AsEnumerable().Select(entry => entry.Key).Order());

        using var stream = typeof(GeckoConfig).Assembly.GetManifestResourceStream("Gecko.Core.reference.conf")!;
        var lines = new StreamReader(stream).ReadToEnd().Split('\n').Select(l => l.Trim()).ToArray();
        var start = Array.FindIndex(lines, l => l.StartsWith("cluster {", StringComparison.Ordinal));
        foreach (var key in Keys)
        {
            var leaf = key.Split('.')[^1];
            var index = Array.FindIndex(lines, start, l => Regex.IsMatch(l, $@"^{Regex.Escape(leaf)}\s*="));
            Assert.True(index > 0, $"{key} is not in reference.conf");
            Assert.True(lines[index - 1].StartsWith('#') || lines[index - 1].EndsWith('{') && lines[index - 2].StartsWith('#'),
                $"{key} has no comment above it");
        }
    }

    [Fact]
    public void Create_must_take_seeds_as_host_port_or_full_addresses()
    {
        var settings = ClusterSettings.Create(ConfigurationFactory.ParseString("""
            gecko.cluster {
              enabled = on
              hostname = "192.168.1.20"
              port = 0
              seed-nodes = ["192.168.1.10:4053", "akka.tcp://gecko@robot.local:4054"]
              roles = [pi, camera]
            }
            """));

        Assert.True(settings.Enabled);
        Assert.Equal(["akka.tcp://gecko@192.168.1.10:4053", "akka.tcp://gecko@robot.local:4054"], settings.SeedNodes);
        Assert.Equal(["pi", "camera"], settings.Roles);
        Assert.Equal(0, settings.Port);
    }

    [Theory]
    [InlineData("hostname = \"\"", "gecko.cluster.hostname")]
    [InlineData("hostname = \"a b\"", "gecko.cluster.hostname")]
    [InlineData("port = 70000", "gecko.cluster.port")]
    [InlineData("seed-nodes = [\"robot\"]", "is not host:port")]
    [InlineData("seed-nodes = [\"robot:0\"]", "is not host:port")]
    [InlineData("seed-nodes = [\"akka.tcp://other@robot:4053\"]", "not a Gecko host's address")]
    [InlineData("roles = [\"pi robot\"]", "is not a role name")]
    [InlineData("failure-detection.heartbeat-interval = 1ms", "heartbeat-interval")]
    [InlineData("failure-detection.acceptable-heartbeat-pause = 100ms", "acceptable-heartbeat-pause")]
    [InlineData("split-brain-resolver.strategy = lease-majority", "use keep-majority, static-quorum, keep-oldest, down-all")]
    [InlineData("split-brain-resolver.stable-after = 0s", "stable-after")]
    [InlineData("rejoin-after = 0s", "rejoin-after")]
    [InlineData("interest-interval = 0s", "interest-interval")]
    [InlineData("send-window = 0", "send-window")]
    [InlineData("send-window-bytes = 10", "send-window-bytes")]
    [InlineData("enabled = maybe", "gecko.cluster")]
    public void Create_must_refuse_a_bad_value_naming_the_key(string hocon, string expected)
    {
        var error = Assert.Throws<GeckoConfigurationException>(() =>
            ClusterSettings.Create(ConfigurationFactory.ParseString($"gecko.cluster {{\n{hocon}\n}}")));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ToAkkaConfig_must_make_a_cluster_host_with_the_resolver_and_frames_for_the_largest_payload()
    {
        var settings = ClusterSettings.Create(ConfigurationFactory.ParseString("""
            gecko.cluster { enabled = on, hostname = "10.0.0.5", port = 4099, roles = [pi], split-brain-resolver.stable-after = 3s }
            """));

        var akka = settings.ToAkkaConfig(8 << 20);

        Assert.Equal("cluster", akka.GetString("akka.actor.provider"));
        Assert.Equal("10.0.0.5", akka.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(4099, akka.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.True(akka.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size") > 8 << 20);
        Assert.Equal(["pi"], akka.GetStringList("akka.cluster.roles"));
        Assert.Contains("SplitBrainResolverProvider", akka.GetString("akka.cluster.downing-provider-class"));
        Assert.Equal("keep-majority", akka.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(TimeSpan.FromSeconds(3), akka.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.False(akka.GetBoolean("akka.cluster.run-coordinated-shutdown-when-down"));
        Assert.False(akka.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
    }
}
