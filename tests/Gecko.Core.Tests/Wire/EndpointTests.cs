using Gecko.Core.Wire;
using Xunit;

namespace Gecko.Core.Tests.Wire;

public sealed class EndpointTests
{
    [Theory]
    [InlineData("tcp://127.0.0.1:9998")]
    [InlineData("tcp://0.0.0.0:0")]
    [InlineData("tcp://*:*")]
    [InlineData("tcp://localhost:65535")]
    [InlineData("tcp://[::1]:9999")]
    [InlineData("ipc:///tmp/gecko-in.sock")]
    [InlineData("ipc://relative/in.sock")]
    [InlineData("ipc://@gecko-in")]
    public void Validate_GoodEndpoint_Passes(string endpoint) => Endpoint.Validate(endpoint, "test");

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("udp://127.0.0.1:9998", "neither a tcp:// nor an ipc://")]
    [InlineData("127.0.0.1:9998", "neither a tcp:// nor an ipc://")]
    [InlineData("tcp://127.0.0.1", "needs a host and a port")]
    [InlineData("tcp://:9998", "needs a host and a port")]
    [InlineData("tcp://127.0.0.1:", "needs a host and a port")]
    [InlineData("tcp://127.0.0.1:70000", "use a number from 0 to 65535")]
    [InlineData("tcp://127.0.0.1:port", "use a number from 0 to 65535")]
    [InlineData("ipc://", "names no socket")]
    [InlineData("ipc://@", "names no socket")]
    [InlineData("ipc://*", "is not supported")]
    [InlineData("ipc:///tmp/", "names a folder")]
    public void Validate_BadEndpoint_SaysWhatIsWrong(string endpoint, string reason)
    {
        var error = Assert.Throws<GeckoConfigurationException>(() => Endpoint.Validate(endpoint, "gecko.core.in-address"));

        Assert.Contains("gecko.core.in-address", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Validate_IpcPathLongerThanSunPath_NamesTheLimit()
    {
        var error = Assert.Throws<GeckoConfigurationException>(() => Endpoint.Validate("ipc:///" + new string('p', 107), "--in"));

        Assert.Contains("at most 107", error.Message);
    }

    [Theory]
    [InlineData("ipc:///run/gecko/in.sock", "/run/gecko/in.sock")]
    [InlineData("ipc://@gecko-in", "\0gecko-in")]
    public void IpcPath_GivesTheSocketAddress(string endpoint, string path) => Assert.Equal(path, Endpoint.IpcPath(endpoint));

    [Theory]
    [InlineData("tcp://127.0.0.1:1", false)]
    [InlineData("tcp://127.1.2.3:1", false)]
    [InlineData("tcp://localhost:1", false)]
    [InlineData("tcp://[::1]:1", false)]
    [InlineData("ipc:///tmp/x.sock", false)]
    [InlineData("tcp://0.0.0.0:1", true)]
    [InlineData("tcp://*:1", true)]
    [InlineData("tcp://192.168.1.5:1", true)]
    public void IsNetworkFacing_TellsLoopbackFromNetwork(string endpoint, bool facing) =>
        Assert.Equal(facing, Endpoint.IsNetworkFacing(endpoint));
}
