using Akka.Configuration;
using Gecko.Core.Bridge.Security;
using Gecko.Core.Configuration;
using Gecko.Core.Hub;
using Xunit;

namespace Gecko.Core.Tests.Bridge.Security;

public sealed class CurveSettingsTests
{
    [Fact]
    public void Default_EveryKey_HasTheReferenceValue()
    {
        var settings = CurveSettings.Create(ConfigurationFactory.Empty);

        Assert.False(settings.Enabled);
        Assert.Equal("", settings.ServerSecretKeyFile);
        Assert.Empty(settings.AllowedClients);
        Assert.False(settings.AllowAnyClient);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.HandshakeTimeout);
        Assert.Equal(1024, settings.MaxConnections);
        Assert.Equal(settings, CurveSettings.Default with { AllowedClients = settings.AllowedClients });
        Assert.Equal(
            ["allow-any-client", "allowed-clients", "enabled", "handshake-timeout", "max-connections", "server-secret-key-file"],
            GeckoConfig.Defaults.GetConfig("gecko.core.curve").AsEnumerable().Select(e => e.Key).Order());
    }

    [Theory]
    [InlineData("enabled = on", "server-secret-key-file is empty")]
    [InlineData("enabled = on\nserver-secret-key-file = /k", "no allowed-clients")]
    [InlineData("handshake-timeout = 10ms", "gecko.core.curve.handshake-timeout")]
    [InlineData("max-connections = 0", "gecko.core.curve.max-connections")]
    [InlineData("enabled = maybe", "gecko.core.curve")]
    public void Create_BadValue_SaysWhichKeyAndWhatToDo(string hocon, string expected)
    {
        var error = Assert.Throws<GeckoConfigurationException>(() =>
            CurveSettings.Create(ConfigurationFactory.ParseString($"gecko.core.curve {{\n{hocon}\n}}")));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void CoreSettings_CurveWithAnIpcEndpoint_IsRefused()
    {
        var error = Assert.Throws<GeckoConfigurationException>(() => CoreSettings.Create(ConfigurationFactory.ParseString("""
            gecko.core {
              in-address = "ipc:///tmp/gecko-curve-test.sock"
              curve { enabled = on, server-secret-key-file = /k, allow-any-client = on }
            }
            """)));

        Assert.Contains("curve works on tcp:// endpoints", error.Message);
    }
}
