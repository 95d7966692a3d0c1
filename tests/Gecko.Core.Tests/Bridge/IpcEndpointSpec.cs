using System.Net.Sockets;
using Gecko.Core.Hub;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests.Bridge;

/// <summary>
/// ipc:// endpoints are real Unix domain sockets: pyzmq nodes connect to them as to any libzmq ipc endpoint.
/// The default hub here takes publishers on ipc:// and serves subscribers on tcp://.
/// </summary>
public sealed class IpcEndpointSpec : HubSpec
{
    private string InSocket => Folder.Combine("in.sock");

    protected override string HubConfig => $"in-address = \"ipc://{InSocket}\"";

    /// <summary>The ZMTP greeting opens with 0xFF, eight bytes, 0x7F: whoever sends it is a ZeroMQ peer.</summary>
    private static async Task<bool> GreetsLikeZeroMqAsync(Socket client)
    {
        var greeting = new byte[10];
        var read = 0;
        using var cancel = new CancellationTokenSource(Timeout);
        while (read < greeting.Length)
        {
            var n = await client.ReceiveAsync(greeting.AsMemory(read), SocketFlags.None, cancel.Token);
            if (n == 0) return false;
            read += n;
        }
        return greeting[0] == 0xFF && greeting[9] == 0x7F;
    }

    private static Socket ConnectUnix(string path)
    {
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(path));
        return client;
    }

    [Fact]
    public async Task Hub_must_serve_a_unix_socket_file_at_the_ipc_path_and_report_the_ipc_endpoint()
    {
        Assert.Equal($"ipc://{InSocket}", Hub.InAddress);
        Assert.True(File.Exists(InSocket));
        using var client = ConnectUnix(InSocket);

        Assert.True(await GreetsLikeZeroMqAsync(client));
        var contents = Gecko.Core.Discovery.CoreFile.FindLive(Folder.Path).Single();
        Assert.Equal($"ipc://{InSocket}", contents.InAddress);
    }

    [Fact]
    public async Task Hub_must_carry_reference_payloads_from_a_python_publisher_over_ipc_byte_for_byte()
    {
        PythonVectorNodes.PythonToCSharp(Hub.InAddress, Hub.OutAddress, Folder);

        var stats = await StatsUntilAsync(s => s.Topic("vec/lidar")?.Messages == 1, "the lidar counted");
        Assert.Equal(0, stats.MalformedTotal);
    }

    [Fact]
    public async Task Hub_must_carry_reference_payloads_to_a_python_subscriber_over_ipc_byte_for_byte()
    {
        var hub = await StartHubAsync($"in-address = \"tcp://127.0.0.1:0\"\nout-address = \"ipc://{Folder.Combine("out.sock")}\"");

        await PythonVectorNodes.CSharpToPythonAsync(hub.InAddress, hub.OutAddress);
    }

    [Fact]
    public async Task Hub_must_serve_linux_abstract_sockets_for_ipc_at_names()
    {
        var name = $"gecko-test-{Guid.NewGuid():N}";
        var hub = await StartHubAsync($"in-address = \"ipc://@{name}\"");

        PythonVectorNodes.PythonToCSharp(hub.InAddress, hub.OutAddress, Folder);
    }

    [Fact]
    public async Task Hub_must_remove_its_socket_file_and_close_relayed_connections_on_stop()
    {
        var path = Folder.Combine("stop.sock");
        var hub = await StartHubAsync($"in-address = \"ipc://{path}\"");
        using var client = ConnectUnix(path);
        Assert.True(await GreetsLikeZeroMqAsync(client));
        await Eventually.UntilAsync(() => hub.Bridge.IpcConnections == 1, Timeout, "the connection relayed");

        await hub.DisposeAsync();

        Assert.False(File.Exists(path));
        Assert.Equal(0, hub.Bridge.IpcConnections);
        using var cancel = new CancellationTokenSource(Timeout);
        var buffer = new byte[64];
        int read;
        do read = await ReceiveOrEndAsync(client, buffer, cancel.Token);
        while (read > 0); // the rest of NetMQ's handshake, then the end of the stream
        Assert.Equal(0, read);
    }

    private static async Task<int> ReceiveOrEndAsync(Socket client, byte[] buffer, CancellationToken token)
    {
        try
        {
            return await client.ReceiveAsync(buffer, SocketFlags.None, token);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return 0;
        }
    }

    [Fact]
    public async Task Hub_must_replace_a_stale_socket_file_left_by_a_dead_process()
    {
        var path = Folder.Combine("stale.sock");
        // A process that listened on the path and exited without removing the file, as a killed hub leaves it.
        // (A .NET socket removes its file when disposed, so this takes another process.)
        using (var dead = ChildProcess.Program(ChildProcess.DebianPython,
                   ["-c", "import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)", path]))
            Assert.Equal(0, await dead.WaitForExitAsync(Timeout));
        Assert.True(File.Exists(path));

        var hub = await StartHubAsync($"in-address = \"ipc://{path}\"");

        using var client = ConnectUnix(path);
        Assert.True(await GreetsLikeZeroMqAsync(client));
        Assert.Equal($"ipc://{path}", hub.InAddress);
    }

    [Fact]
    public async Task Hub_must_refuse_an_ipc_path_another_hub_listens_on()
    {
        var error = await Assert.ThrowsAsync<GeckoBindException>(() => StartHubAsync($"in-address = \"ipc://{InSocket}\""));

        Assert.Contains("another process is listening", error.Message);
        Assert.Contains(InSocket, error.Message);
        using var client = ConnectUnix(InSocket); // the first hub's socket is untouched
        Assert.True(await GreetsLikeZeroMqAsync(client));
    }

    [Fact]
    public async Task Hub_must_refuse_a_path_that_is_not_a_socket_and_leave_the_file_alone()
    {
        var path = Folder.Write("notes.txt", "keep me");

        var error = await Assert.ThrowsAsync<GeckoBindException>(() => StartHubAsync($"in-address = \"ipc://{path}\""));

        Assert.Contains("is not a socket", error.Message);
        Assert.Equal("keep me", File.ReadAllText(path));
    }

    [Fact]
    public async Task Hub_must_refuse_an_ipc_path_in_a_missing_folder_with_the_folder_named()
    {
        var folder = Folder.Combine("missing");

        var error = await Assert.ThrowsAsync<GeckoBindException>(() => StartHubAsync($"in-address = \"ipc://{folder}/in.sock\""));

        Assert.Contains($"the folder {folder} does not exist", error.Message);
    }

    [Fact]
    public async Task Hub_must_close_connections_beyond_ipc_max_connections_at_once()
    {
        var path = Folder.Combine("bounded.sock");
        var hub = await StartHubAsync($"in-address = \"ipc://{path}\"\nipc-max-connections = 2");
        using var first = ConnectUnix(path);
        using var second = ConnectUnix(path);
        Assert.True(await GreetsLikeZeroMqAsync(first));
        Assert.True(await GreetsLikeZeroMqAsync(second));

        using var third = ConnectUnix(path);

        Assert.False(await GreetsLikeZeroMqAsync(third)); // closed without a word
        Assert.Equal(2, hub.Bridge.IpcConnections);
        first.Dispose();
        await Eventually.UntilAsync(() => hub.Bridge.IpcConnections == 1, Timeout, "the first connection released");
        using var fourth = ConnectUnix(path);
        Assert.True(await GreetsLikeZeroMqAsync(fourth));
    }
}
