using System.Text.RegularExpressions;
using Akka.Configuration;
using Gecko.Core.Configuration;
using Gecko.Core.Hub;
using Xunit;

namespace Gecko.Core.Tests.Configuration;

/// <summary><c>gecko.core</c> in the embedded reference.conf: every default asserted, every bad value refused clearly.</summary>
public sealed class CoreSettingsSpec
{
    /// <summary>The keys this spec asserts; a key added to reference.conf without an assertion here fails a test.</summary>
    private static readonly string[] Keys =
    [
        "in-address", "out-address", "key", "stats-interval", "max-payload-size", "frame-size-margin", "max-topics",
        "receive-high-water-mark", "send-high-water-mark", "forward-batch-size", "ipc-max-connections",
        "remote-node-timeout", "write-core-file", "core-file-directory", "fast-clock", "frame-pool-size",
    ];

    [Fact]
    public void Default_must_have_every_reference_value()
    {
        var settings = CoreSettings.Create(ConfigurationFactory.Empty);

        Assert.Equal("tcp://127.0.0.1:9998", settings.InAddress);
        Assert.Equal("tcp://127.0.0.1:9999", settings.OutAddress);
        Assert.Equal(HubKey.Default, settings.Key); // "" means the host name, lowercase, up to the first dot
        Assert.Equal(TimeSpan.FromSeconds(3), settings.StatsInterval);
        Assert.Equal(8 * 1024 * 1024, settings.MaxPayloadSize);
        Assert.Equal(64 * 1024, settings.FrameSizeMargin);
        Assert.Equal(8L * 1024 * 1024 + 64 * 1024, settings.SocketMaxFrameSize);
        Assert.Equal(10_000, settings.MaxTopics);
        Assert.Equal(100_000, settings.ReceiveHighWaterMark);
        Assert.Equal(100_000, settings.SendHighWaterMark);
        Assert.Equal(512, settings.ForwardBatchSize);
        Assert.Equal(1024, settings.IpcMaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.RemoteNodeTimeout);
        Assert.True(settings.WriteCoreFile);
        Assert.Equal(Path.GetTempPath(), settings.CoreFileDirectory); // "" means the temp directory
        Assert.True(settings.FastClock);
        Assert.Equal(32L * 1024 * 1024, settings.FramePoolSize);
        Assert.Equal(settings, CoreSettings.Default);
    }

    [Fact]
    public void Reference_must_have_no_gecko_core_key_this_spec_does_not_assert()
    {
        // gecko.core.monitor, .beacon and .curve have their own settings and specs.
        var keys = GeckoConfig.Defaults.GetConfig("gecko.core").AsEnumerable().Select(entry => entry.Key)
            .Where(key => key.Split('.')[0] is not ("monitor" or "beacon" or "curve"))
            .Order();

        Assert.Equal(Keys.Order(), keys);
    }

    [Fact]
    public void Reference_must_comment_every_gecko_core_key()
    {
        using var stream = typeof(GeckoConfig).Assembly.GetManifestResourceStream("Gecko.Core.reference.conf")!;
        var lines = new StreamReader(stream).ReadToEnd().Split('\n').Select(l => l.Trim()).ToArray();
        foreach (var key in Keys)
        {
            var index = Array.FindIndex(lines, l => Regex.IsMatch(l, $@"^{Regex.Escape(key)}\s*="));
            Assert.True(index > 0, $"{key} is not in reference.conf");
            Assert.True(lines[index - 1].StartsWith('#'), $"{key} has no comment right above it");
        }
    }

    [Fact]
    public void Create_must_take_user_values_over_the_defaults()
    {
        var settings = CoreSettings.Create(ConfigurationFactory.ParseString("""
            gecko.core {
              in-address = "ipc:///tmp/gecko-in.sock"
              key = " Robot1 "
              stats-interval = 250ms
              max-payload-size = 32 MiB
              write-core-file = off
              core-file-directory = "/run/gecko"
            }
            """));

        Assert.Equal("ipc:///tmp/gecko-in.sock", settings.InAddress);
        Assert.Equal("tcp://127.0.0.1:9999", settings.OutAddress);
        Assert.Equal("Robot1", settings.Key);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.StatsInterval);
        Assert.Equal(32 * 1024 * 1024, settings.MaxPayloadSize);
        Assert.False(settings.WriteCoreFile);
        Assert.Equal("/run/gecko", settings.CoreFileDirectory);
    }

    [Theory]
    [InlineData("in-address = \"udp://127.0.0.1:1\"", "gecko.core.in-address")]
    [InlineData("out-address = \"tcp://127.0.0.1\"", "gecko.core.out-address")]
    [InlineData("in-address = \"ipc://\"", "names no socket")]
    [InlineData("in-address = \"tcp://127.0.0.1:5\"\nout-address = \"tcp://127.0.0.1:5\"", "give them different ports or paths")]
    [InlineData("in-address = \"ipc:///tmp/x.sock\"\nout-address = \"ipc:///tmp/x.sock\"", "give them different ports or paths")]
    [InlineData("stats-interval = 10ms", "gecko.core.stats-interval")]
    [InlineData("stats-interval = 2h", "between 100ms and 1h")]
    [InlineData("max-payload-size = 0", "gecko.core.max-payload-size")]
    [InlineData("max-payload-size = 2 GiB", "too large")]
    [InlineData("frame-size-margin = -1", "gecko.core.frame-size-margin")]
    [InlineData("max-topics = 0", "gecko.core.max-topics")]
    [InlineData("receive-high-water-mark = -1", "gecko.core.receive-high-water-mark")]
    [InlineData("send-high-water-mark = -5", "gecko.core.send-high-water-mark")]
    [InlineData("forward-batch-size = 0", "gecko.core.forward-batch-size")]
    [InlineData("ipc-max-connections = 0", "gecko.core.ipc-max-connections")]
    [InlineData("frame-pool-size = 8 GiB", "gecko.core.frame-pool-size")]
    [InlineData("remote-node-timeout = 100ms", "gecko.core.remote-node-timeout")]
    [InlineData("write-core-file = perhaps", "gecko.core")]
    [InlineData("max-topics = many", "gecko.core")]
    public void Create_must_refuse_a_bad_value_naming_the_key(string hocon, string expected)
    {
        var error = Assert.Throws<GeckoConfigurationException>(() =>
            CoreSettings.Create(ConfigurationFactory.ParseString($"gecko.core {{\n{hocon}\n}}")));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Create_must_accept_two_any_ports_on_one_host()
    {
        var settings = CoreSettings.Create(ConfigurationFactory.ParseString("""
            gecko.core { in-address = "tcp://127.0.0.1:0", out-address = "tcp://127.0.0.1:0" }
            """));

        Assert.Equal(settings.InAddress, settings.OutAddress);
    }
}
