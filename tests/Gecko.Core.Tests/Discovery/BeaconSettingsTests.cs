using System.Net;
using Akka.Configuration;
using Gecko.Core.Discovery;
using Gecko.Core.Hub;
using Xunit;

namespace Gecko.Core.Tests.Discovery;

public class BeaconSettingsTests
{
    [Fact]
    public void Default_MatchesReferenceConf()
    {
        var settings = BeaconSettings.Default;

        Assert.True(settings.Enabled);
        Assert.Equal(IPAddress.Parse("224.3.29.110"), settings.Group);
        Assert.Equal(11311, settings.Port);
        Assert.Empty(settings.Interfaces);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.ResendInterval);
        Assert.Equal(1, settings.TimeToLive);
        Assert.Equal(settings.Port, CoreSettings.Default.Beacon.Port);
    }

    [Fact]
    public void Create_LaunchFileOverrides_AreRead()
    {
        var settings = CoreSettings.Create(ConfigurationFactory.ParseString("""
            gecko.core.beacon { enabled = off, port = 21311, interfaces = ["lo", "127.0.0.1"], timeout = 500ms }
            """)).Beacon;

        Assert.False(settings.Enabled);
        Assert.Equal(21311, settings.Port);
        Assert.Equal(["lo", "127.0.0.1"], settings.Interfaces);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.Timeout);
        Assert.Equal(IPAddress.Parse("224.3.29.110"), settings.Group);
    }

    [Theory]
    [InlineData("group = \"10.0.0.1\"", "not an IPv4 multicast group")]
    [InlineData("group = \"robot\"", "not an IP address")]
    [InlineData("group = \"ff02::1\"", "not an IPv4 multicast group")]
    [InlineData("port = 0", "gecko.core.beacon.port = 0 is out of range")]
    [InlineData("port = 70000", "gecko.core.beacon.port = 70000 is out of range")]
    [InlineData("timeout = 0s", "gecko.core.beacon.timeout")]
    [InlineData("ttl = 0", "gecko.core.beacon.ttl = 0")]
    public void Create_BadValue_SaysWhichKeyAndWhatToUse(string setting, string expected)
    {
        var error = Assert.Throws<GeckoConfigurationException>(() => BeaconSettings.Create(ConfigurationFactory.ParseString($"gecko.core.beacon.{setting}")));

        Assert.Contains(expected, error.Message);
    }
}
