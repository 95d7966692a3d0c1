using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gecko.Core.Hub;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Security;

/// <summary>
/// The hub listens on loopback unless told otherwise, says so in its start line, and is then really out of reach of
/// the machine's other addresses (checked by connecting to them, not by reading the flag back).
/// </summary>
public sealed partial class LoopbackDefaultTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempFolder _temp = new("gecko-loopback-test-");

    public void Dispose() => _temp.Dispose();

    [GeneratedRegex(@"^GeckoCore started: in tcp://127\.0\.0\.1:(?<in>\d+)\s+out tcp://127\.0\.0\.1:(?<out>\d+)\s+key \S+\s+\((?<reach>[^;]+);")]
    private static partial Regex StartLine();

    [Fact]
    public void Defaults_BothEndpoints_AreLoopback()
    {
        Assert.StartsWith("tcp://127.0.0.1:", CoreSettings.Default.InAddress, StringComparison.Ordinal);
        Assert.StartsWith("tcp://127.0.0.1:", CoreSettings.Default.OutAddress, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Core_OnLoopback_SaysLoopbackOnlyAndRefusesTheMachinesOtherAddresses()
    {
        using var core = ChildProcess.Gecko(["core", "--in", "tcp://127.0.0.1:0", "--out", "tcp://127.0.0.1:0", "--key", $"test-{Guid.NewGuid():N}", "--quiet"],
            new Dictionary<string, string> { ["TMPDIR"] = _temp.Path });
        var match = StartLine().Match(await core.WaitForLineAsync(l => l.StartsWith("GeckoCore started:", StringComparison.Ordinal), Timeout));
        Assert.True(match.Success, core.Transcript);
        Assert.Equal("loopback only", match.Groups["reach"].Value);

        foreach (var port in new[] { int.Parse(match.Groups["in"].Value), int.Parse(match.Groups["out"].Value) })
        {
            Assert.True(await CanConnectAsync(IPAddress.Loopback, port), $"port {port} answers on loopback");
            foreach (var address in OtherAddresses())
                Assert.False(await CanConnectAsync(address, port), $"port {port} must not answer on {address}");
        }
    }

    /// <summary>This machine's IPv4 addresses that are not loopback (none on a machine without a network: then only the start line is checked).</summary>
    private static IEnumerable<IPAddress> OtherAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    private static async Task<bool> CanConnectAsync(IPAddress address, int port)
    {
        using var client = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await client.ConnectAsync(new IPEndPoint(address, port), cancel.Token);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return false;
        }
    }
}
