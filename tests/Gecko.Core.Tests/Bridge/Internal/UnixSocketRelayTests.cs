using System.Net;
using System.Net.Sockets;
using Gecko.Core.Bridge.Internal;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests.Bridge.Internal;

public sealed class UnixSocketRelayTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempFolder _folder = new("gecko-relay-test-");
    private readonly TcpListener _echo = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();

    public UnixSocketRelayTests()
    {
        _echo.Start();
        _ = EchoAsync();
    }

    /// <summary>The relay's target: sends back everything it receives, on every connection.</summary>
    private async Task EchoAsync()
    {
        try
        {
            while (true)
            {
                var connection = await _echo.AcceptSocketAsync(_stop.Token);
                _ = Task.Run(async () =>
                {
                    using (connection)
                    {
                        var buffer = new byte[8192];
                        int read;
                        while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                            await connection.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                    }
                });
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
    }

    private UnixSocketRelay StartRelay(string path, int maxConnections = 8) =>
        UnixSocketRelay.Start("ipc://" + path, path, _echo.LocalEndpoint, maxConnections);

    private static Socket Connect(string path)
    {
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(path));
        return client;
    }

    [Fact]
    public async Task Relay_ManyMegabytesBothWays_ArriveIntactAndInOrder()
    {
        var path = _folder.Combine("echo.sock");
        using var relay = StartRelay(path);
        using var client = Connect(path);
        var data = new byte[4 << 20];
        new Random(42).NextBytes(data);
        var echoed = new byte[data.Length];
        using var cancel = new CancellationTokenSource(Timeout);

        // Send and receive at once: the echo's buffers are small, so neither side may wait for the other to finish.
        var sending = Task.Run(async () =>
        {
            for (var sent = 0; sent < data.Length;)
                sent += await client.SendAsync(data.AsMemory(sent, Math.Min(100_000, data.Length - sent)), SocketFlags.None, cancel.Token);
        });
        for (var read = 0; read < echoed.Length;)
        {
            var n = await client.ReceiveAsync(echoed.AsMemory(read), SocketFlags.None, cancel.Token);
            Assert.NotEqual(0, n);
            read += n;
        }
        await sending;

        Assert.True(data.AsSpan().SequenceEqual(echoed));
        Assert.Equal(1, relay.AcceptedConnections);
    }

    [Fact]
    public async Task Relay_ClientCloses_ReleasesTheConnection()
    {
        var path = _folder.Combine("release.sock");
        using var relay = StartRelay(path);
        var client = Connect(path);
        await Eventually.UntilAsync(() => relay.ActiveConnections == 1, Timeout, "the connection relayed");

        client.Dispose();

        await Eventually.UntilAsync(() => relay.ActiveConnections == 0, Timeout, "the connection released");
    }

    [Fact]
    public async Task Relay_TargetDown_ClosesTheClientConnection()
    {
        var path = _folder.Combine("down.sock");
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var target = closed.LocalEndpoint;
        closed.Stop(); // nothing listens there now
        using var relay = UnixSocketRelay.Start("ipc://" + path, path, target, 8);
        using var client = Connect(path);
        using var cancel = new CancellationTokenSource(Timeout);

        var read = await client.ReceiveAsync(new byte[16], SocketFlags.None, cancel.Token);

        Assert.Equal(0, read);
        await Eventually.UntilAsync(() => relay.ActiveConnections == 0, Timeout, "the connection released");
    }

    [Fact]
    public void Dispose_RemovesTheSocketFileAndRefusesNewConnections()
    {
        var path = _folder.Combine("gone.sock");
        var relay = StartRelay(path);
        Assert.Equal(SocketFiles.Kind.Socket, SocketFiles.KindOf(path));

        relay.Dispose();

        Assert.Equal(SocketFiles.Kind.Missing, SocketFiles.KindOf(path));
        Assert.Throws<SocketException>(() => Connect(path));
    }

    [Fact]
    public void KindOf_File_IsOtherAndFolderIsOther()
    {
        Assert.Equal(SocketFiles.Kind.Other, SocketFiles.KindOf(_folder.Write("plain.txt", "x")));
        Assert.Equal(SocketFiles.Kind.Other, SocketFiles.KindOf(_folder.Path));
        Assert.Equal(SocketFiles.Kind.Missing, SocketFiles.KindOf(_folder.Combine("nothing")));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _echo.Stop();
        _folder.Dispose();
    }
}
