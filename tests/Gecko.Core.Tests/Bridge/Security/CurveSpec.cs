using System.Text;
using Gecko.Core.Bridge.Security;
using Gecko.Core.Bridge.Security.Internal;
using Gecko.Testing;
using NetMQ;
using NetMQ.Sockets;
using Xunit;

namespace Gecko.Core.Tests.Bridge.Security;

/// <summary>
/// A real hub with CURVE on both endpoints and an allow-list (one key given inline, one through a folder of .key files),
/// against NetMQ clients and pyzmq nodes: allowed keys exchange messages; plaintext clients, clients with the wrong
/// server key and clients whose key is not allowed get nothing in and nothing out.
/// </summary>
public sealed class CurveSpec : HubSpec
{
    private readonly NetMQCertificate _hubKeys;
    private readonly NetMQCertificate _allowed;
    private readonly NetMQCertificate _unlisted;
    private readonly List<NetMQSocket> _sockets = [];

    public CurveSpec()
    {
        _hubKeys = CurveKeyFiles.Generate(Folder.Combine("keys"), "hub");
        _allowed = CurveKeyFiles.Generate(Folder.Combine("keys"), "allowed");
        _unlisted = CurveKeyFiles.Generate(Folder.Combine("keys"), "unlisted");
        CurveKeyFiles.Generate(Folder.Combine("allowed"), "python");
        CurveKeyFiles.Generate(Folder.Combine("keys"), "python-unlisted");
    }

    protected override string HubConfig => $$"""
        curve {
          enabled = on
          server-secret-key-file = "{{Folder.Combine("keys", "hub.key_secret")}}"
          allowed-clients = ["{{_allowed.PublicKeyZ85}}", "{{Folder.Combine("allowed")}}"]
        }
        """;

    public override async Task DisposeAsync()
    {
        foreach (var socket in _sockets) socket.Dispose();
        await base.DisposeAsync();
    }

    private CurveGate InGate => Hub.Bridge.CurveGates[0];

    private CurveGate OutGate => Hub.Bridge.CurveGates[1];

    private T Connect<T>(T socket, string address, NetMQCertificate? client, byte[]? serverKey) where T : NetMQSocket
    {
        socket.Options.Linger = TimeSpan.Zero;
        if (client is not null && serverKey is not null) new CurveClientKeys(serverKey, client).Apply(socket);
        socket.Connect(address);
        _sockets.Add(socket);
        return socket;
    }

    private PublisherSocket Publisher(NetMQCertificate? client, byte[]? serverKey = null) =>
        Connect(new PublisherSocket(), Hub.InAddress, client, serverKey ?? _hubKeys.PublicKey);

    private SubscriberSocket Subscriber(NetMQCertificate? client, string prefix, byte[]? serverKey = null)
    {
        var socket = new SubscriberSocket();
        socket.Subscribe(prefix);
        return Connect(socket, Hub.OutAddress, client, serverKey ?? _hubKeys.PublicKey);
    }

    /// <summary>Publishes numbered messages until <paramref name="subscriber"/> has received <paramref name="count"/> of them.</summary>
    private static async Task<List<(string Topic, byte[] Payload)>> ExchangeAsync(PublisherSocket publisher, SubscriberSocket subscriber, string topic,
        int count, Func<int, byte[]>? payload = null)
    {
        var received = new List<(string, byte[])>();
        var deadline = DateTime.UtcNow + Timeout;
        for (var i = 0; received.Count < count; i++)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {received.Count} of {count} messages on {topic} came through");
            publisher.SendMoreFrame(topic).SendFrame(payload?.Invoke(i) ?? Encoding.ASCII.GetBytes(i.ToString()));
            var message = new NetMQMessage();
            if (subscriber.TryReceiveMultipartMessage(TimeSpan.FromMilliseconds(20), ref message))
                received.Add((message[0].ConvertToString(), message[1].ToByteArray()));
            await Task.Yield();
        }
        return received;
    }

    [Fact]
    public async Task Curve_must_carry_messages_between_allowed_clients_small_and_large()
    {
        var publisher = Publisher(_allowed);
        var subscriber = Subscriber(_allowed, "cam");

        await ExchangeAsync(publisher, subscriber, "cam", 3);
        // A frame larger than the gate's buffers, both ways through it.
        var image = new byte[3 << 20];
        new Random(7).NextBytes(image);
        var large = await ExchangeAsync(publisher, subscriber, "cam", 2, _ => image);

        Assert.Contains(large, m => m.Payload.AsSpan().SequenceEqual(image));
        Assert.Equal(2, InGate.Authenticated + OutGate.Authenticated);
        Assert.Equal(0, InGate.RefusedKeys + OutGate.RefusedKeys);
        Assert.NotNull((await Hub.GetStatsAsync()).Topic("cam"));
    }

    [Fact]
    public async Task Curve_must_let_nothing_in_or_out_for_plaintext_wrong_server_key_and_unlisted_clients()
    {
        var wrongServer = new NetMQCertificate();
        var intruders = new (string Name, PublisherSocket Publisher, SubscriberSocket Subscriber)[]
        {
            ("plaintext", Connect(new PublisherSocket(), Hub.InAddress, null, null), Connect(SubscribeAll(new SubscriberSocket()), Hub.OutAddress, null, null)),
            ("wrong-server-key", Publisher(_allowed, wrongServer.PublicKey), Subscriber(_allowed, "", wrongServer.PublicKey)),
            ("unlisted", Publisher(_unlisted), Subscriber(_unlisted, "")),
        };
        var publisher = Publisher(_allowed);
        var subscriber = Subscriber(_allowed, "");

        // The intruders keep trying (ZeroMQ reconnects) while allowed traffic flows; once every intruder has been
        // turned away at least twice, allowed traffic goes on for a while longer in front of them.
        var deadline = DateTime.UtcNow + Timeout;
        var received = 0;
        var intruderMessages = 0;
        for (var i = 0; ; i++)
        {
            Assert.True(DateTime.UtcNow < deadline, $"refused keys {InGate.RefusedKeys}+{OutGate.RefusedKeys}, failed handshakes {InGate.FailedHandshakes}+{OutGate.FailedHandshakes}, received {received}");
            publisher.SendMoreFrame("allowed").SendFrame(BitConverter.GetBytes(i));
            foreach (var (name, intruder, _) in intruders) intruder.SendMoreFrame($"intruder/{name}").SendFrame(BitConverter.GetBytes(i));
            while (subscriber.TryReceiveFrameString(TimeSpan.FromMilliseconds(5), out var topic))
            {
                subscriber.SkipMultipartMessage();
                if (topic == "allowed") received++;
                else intruderMessages++;
            }
            foreach (var (_, _, intruder) in intruders)
                while (intruder.TrySkipMultipartMessage(TimeSpan.Zero)) intruderMessages++;
            var turnedAway = InGate.RefusedKeys >= 2 && OutGate.RefusedKeys >= 2 && InGate.FailedHandshakes >= 4 && OutGate.FailedHandshakes >= 4;
            if (turnedAway && received >= 200) break;
            await Task.Yield();
        }

        Assert.Equal(0, intruderMessages);
        var stats = await Hub.GetStatsAsync();
        Assert.DoesNotContain(stats.Topics, t => t.Topic.StartsWith("intruder/", StringComparison.Ordinal));
        // Only the allowed publisher and subscriber ever got past the handshake.
        Assert.Equal(1, InGate.Authenticated);
        Assert.Equal(1, OutGate.Authenticated);

        static SubscriberSocket SubscribeAll(SubscriberSocket socket)
        {
            socket.Subscribe("");
            return socket;
        }
    }

    [Fact]
    public async Task Curve_must_carry_pyzmq_nodes_with_their_own_key_files_and_refuse_an_unlisted_one()
    {
        var hubPublic = Folder.Combine("keys", "hub.key");
        using var allowed = ChildProcess.Python("Bridge/python/curve_node.py",
            [Hub.InAddress, Hub.OutAddress, hubPublic, Folder.Combine("allowed", "python.key_secret"), "py/allowed", "to-python"]);
        using var unlisted = ChildProcess.Python("Bridge/python/curve_node.py",
            [Hub.InAddress, Hub.OutAddress, hubPublic, Folder.Combine("keys", "python-unlisted.key_secret"), "py/unlisted", "to-python"]);
        await allowed.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Timeout);
        await unlisted.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Timeout);
        var publisher = Publisher(_allowed);
        var subscriber = Subscriber(_allowed, "py/");

        // Python → hub → .NET, and .NET → hub → Python.
        var fromPython = new List<string>();
        var deadline = DateTime.UtcNow + Timeout;
        string? gotLine = null;
        while (fromPython.Count < 5 || gotLine is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"from python: [{string.Join(", ", fromPython)}]; python said:\n{allowed.Transcript}");
            publisher.SendMoreFrame("to-python").SendFrame("hello python");
            while (subscriber.TryReceiveFrameString(TimeSpan.FromMilliseconds(20), out var topic))
            {
                subscriber.SkipMultipartMessage();
                fromPython.Add(topic);
            }
            gotLine ??= await allowed.TryWaitForLineAsync(l => l == "got to-python hello python", TimeSpan.FromMilliseconds(20));
        }
        // The unlisted node has been turned away on both sockets; its messages never arrive, and nothing reaches it.
        await Eventually.UntilAsync(() => InGate.RefusedKeys >= 1 && OutGate.RefusedKeys >= 1, Timeout, "the unlisted python node refused");
        for (var i = 0; i < 50; i++)
        {
            publisher.SendMoreFrame("to-python").SendFrame("hello python");
            while (subscriber.TryReceiveFrameString(TimeSpan.FromMilliseconds(10), out var topic))
            {
                subscriber.SkipMultipartMessage();
                fromPython.Add(topic);
            }
        }

        Assert.All(fromPython, topic => Assert.Equal("py/allowed", topic));
        Assert.Null(await unlisted.TryWaitForLineAsync(l => l.StartsWith("got", StringComparison.Ordinal), TimeSpan.FromMilliseconds(200)));
        Assert.DoesNotContain((await Hub.GetStatsAsync()).Topics, t => t.Topic == "py/unlisted");
    }
}
