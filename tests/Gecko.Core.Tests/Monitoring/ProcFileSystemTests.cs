using Gecko.Core.Monitoring;
using Gecko.Core.Monitoring.Internal;
using Xunit;

namespace Gecko.Core.Tests.Monitoring;

public sealed class ProcFileSystemTests
{
    [Theory]
    [InlineData("0100007F:270E", "127.0.0.1", 9998)]
    [InlineData("00000000:0016", "0.0.0.0", 22)]
    [InlineData("0201A8C0:D4C2", "192.168.1.2", 54466)]
    [InlineData("00000000000000000000000001000000:270D", "::1", 9997)]
    [InlineData("0000000000000000FFFF00000100007F:270D", "::ffff:127.0.0.1", 9997)]
    [InlineData("B80D0120000000000000000001000000:0050", "2001:db8::1", 80)]
    public void ParseEndpoint_KernelHex_GivesAddressAndPort(string text, string address, int port) =>
        Assert.Equal(new TcpEndpoint(address, port), ProcFileSystem.ParseEndpoint(text));

    [Theory]
    [InlineData("")]
    [InlineData("0100007F")]
    [InlineData("0100007F:")]
    [InlineData("0100007:270E")]
    [InlineData("ZZ00007F:270E")]
    [InlineData("0100007F:XYZ")]
    public void ParseEndpoint_Garbage_GivesNull(string text) => Assert.Null(ProcFileSystem.ParseEndpoint(text));

    [Fact]
    public void TryParseStat_CommandWithParenthesesAndSpaces_ReadsTheFieldsAfterIt()
    {
        const string stat = "77 (a) b (c)) R 1 77 77 0 -1 4194560 10 0 0 0 12 34 0 0 20 0 5 0 9876 1000 100 18446744073709551615 0";

        Assert.True(ProcFileSystem.TryParseStat(stat, out var parsed));

        Assert.Equal(new ProcFileSystem.Stat("a) b (c)", 'R', 4194560, 12, 34, 5, 9876), parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("77 (truncated")]
    [InlineData("77 (x) R 1 2 3")]
    [InlineData("77 (x) R 1 77 77 0 -1 flags 10 0 0 0 12 34 0 0 20 0 5 0 9876 1000 100")]
    public void TryParseStat_Garbage_IsRefused(string stat) => Assert.False(ProcFileSystem.TryParseStat(stat, out _));

    [Fact]
    public void TryRead_MissingProcess_GivesNull()
    {
        var proc = new ProcFileSystem("/proc", 100);

        Assert.Null(proc.TryRead(int.MaxValue));
        Assert.Null(proc.TryRead(0));
        Assert.Empty(proc.TcpConnections(int.MaxValue));
    }
}
