using System.Net;
using System.Net.Sockets;
using System.Text;
using Gecko.Core.Discovery;
using Gecko.Core.Discovery.Internal;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests.Discovery;

/// <summary>
/// The beacon for real: UDP multicast on this machine's loopback interface, on the real group and port, with a unique key
/// per test so that other hubs on the machine (other test runs included) neither answer nor disturb.
/// </summary>
public class BeaconTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Look-ups on loopback only: a test sends nothing onto a real network.</summary>
    internal static readonly BeaconSettings Loopback = BeaconSettings.Default.OnInterfaces("127.0.0.1") with { Timeout = Patience };

    internal static string UniqueKey() => $"test-{Guid.NewGuid():N}";

    [Fact]
    public async Task Ask_HubAnsweringItsKey_ReturnsItsAddressesAndPid()
    {
        var key = UniqueKey();
        // The defaults: a hub on loopback endpoints answers on loopback only.
        await using var responder = BeaconResponder.Start(BeaconSettings.Default, key, "tcp://127.0.0.1:45001", "tcp://127.0.0.1:45002");

        var answer = BeaconLookup.Ask(key, Loopback);

        Assert.NotNull(answer);
        Assert.Equal("tcp://127.0.0.1:45001", answer.InAddress);
        Assert.Equal("tcp://127.0.0.1:45002", answer.OutAddress);
        Assert.Equal(key, answer.Key);
        Assert.Equal(Environment.ProcessId, answer.Pid);
        Assert.True(IPAddress.IsLoopback(answer.From.Address));
        Assert.Contains("127.0.0.1", Assert.Single(responder.Interfaces));
        await Eventually.UntilAsync(() => responder.Answered >= 1, Patience, "the responder to count its answer");
    }

    [Fact]
    public async Task Ask_KeyDiffersOnlyInCase_IsAnswered()
    {
        var key = UniqueKey();
        await using var responder = BeaconResponder.Start(BeaconSettings.Default, key, "tcp://127.0.0.1:45001", "tcp://127.0.0.1:45002");

        Assert.NotNull(BeaconLookup.Ask(key.ToUpperInvariant(), Loopback));
    }

    [Fact]
    public async Task TryAsk_WrongKey_FindsNothingWithinTheTimeout()
    {
        await using var responder = BeaconResponder.Start(BeaconSettings.Default, UniqueKey(), "tcp://127.0.0.1:45001", "tcp://127.0.0.1:45002");
        var wrong = UniqueKey();
        var settings = Loopback with { Timeout = TimeSpan.FromMilliseconds(400) };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var found = BeaconLookup.TryAsk(wrong, settings, out var answer, out var silence);

        Assert.False(found);
        Assert.Null(answer);
        Assert.True(clock.Elapsed >= settings.Timeout, $"gave up after {clock.Elapsed}, before the timeout");
        Assert.Equal(wrong, silence!.Key);
        Assert.Contains("127.0.0.1", Assert.Single(silence.AskedOn));
        Assert.Contains($"no hub answered a beacon look-up for key '{wrong}' within 0.4 s", silence.ToString());
        // The look-up did reach the hub, which left it alone: silence is the hub's answer, not a broken network.
        await Eventually.UntilAsync(() => responder.OtherKeys > 0, Patience, "the responder to hear the look-up");
        Assert.Equal(0, responder.Answered);
    }

    [Fact]
    public async Task Responders_WithDifferentKeys_ShareThePortAndEachAnswersItsOwn()
    {
        var (first, second) = (UniqueKey(), UniqueKey());
        await using var one = BeaconResponder.Start(BeaconSettings.Default, first, "tcp://127.0.0.1:45011", "tcp://127.0.0.1:45012");
        await using var two = BeaconResponder.Start(BeaconSettings.Default, second, "tcp://127.0.0.1:45021", "tcp://127.0.0.1:45022");
        Assert.Equal(BeaconSettings.Default.Port, one.Port);
        Assert.Equal(one.Port, two.Port);

        Assert.Equal("tcp://127.0.0.1:45011", BeaconLookup.Ask(first, Loopback)?.InAddress);
        Assert.Equal("tcp://127.0.0.1:45021", BeaconLookup.Ask(second, Loopback)?.InAddress);
        await Eventually.UntilAsync(() => one.Answered >= 1 && two.Answered >= 1, Patience, "each responder to count its answer");
        await Eventually.UntilAsync(() => one.OtherKeys >= 1 && two.OtherKeys >= 1, Patience, "each responder to hear the other's look-up too");
    }

    [Fact]
    public async Task Responder_WildcardEndpoints_AnswersWithTheAddressTheAskerReaches()
    {
        var key = UniqueKey();
        await using var responder = BeaconResponder.Start(BeaconSettings.Default.OnInterfaces("lo"), key, "tcp://0.0.0.0:45031", "tcp://*:45032");

        var answer = BeaconLookup.Ask(key, Loopback);

        Assert.Equal("tcp://127.0.0.1:45031", answer?.InAddress);
        Assert.Equal("tcp://127.0.0.1:45032", answer?.OutAddress);
    }

    [Fact]
    public async Task Responder_IpcEndpoints_AnswersOnLoopbackWithThemUnchanged()
    {
        var key = UniqueKey();
        await using var responder = BeaconResponder.Start(BeaconSettings.Default, key, "ipc:///tmp/gecko-test-in.sock", "ipc://@gecko-test-out");

        var answer = BeaconLookup.Ask(key, Loopback);

        Assert.Equal(("ipc:///tmp/gecko-test-in.sock", "ipc://@gecko-test-out"), (answer?.InAddress, answer?.OutAddress));
        Assert.Contains("127.0.0.1", Assert.Single(responder.Interfaces));
    }

    [Fact]
    public async Task Responder_LookUpFromPlainPython_IsAnswered()
    {
        var key = UniqueKey();
        await using var responder = BeaconResponder.Start(BeaconSettings.Default, key, "tcp://127.0.0.1:45061", "tcp://127.0.0.1:45062");

        using var python = ChildProcess.Python("python/beacon.py", ["ask", key, "20"]);
        var (exit, lines) = await python.RunToEndAsync(Patience * 3);

        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.Equal("tcp://127.0.0.1:45061 tcp://127.0.0.1:45062", lines[0]);
    }

    [Fact]
    public async Task Ask_PygeckoStyleAnswerWithAWildcardHost_GivesTheAddressOfWhoAnswered()
    {
        var key = UniqueKey();
        using var python = ChildProcess.Python("python/beacon.py", ["answer", key, "tcp://0.0.0.0:45071", "tcp://0.0.0.0:45072"]);
        await python.WaitForLineAsync(l => l == "ready", Patience);

        var answer = BeaconLookup.Ask(key, Loopback);

        Assert.Equal(("tcp://127.0.0.1:45071", "tcp://127.0.0.1:45072"), (answer?.InAddress, answer?.OutAddress));
        Assert.Null(answer?.Pid);
        await python.WaitForLineAsync(l => l == "answered", Patience);
    }

    public static TheoryData<string, byte[]> Garbage => new()
    {
        { "random bytes", [0xc1, 0x00, 0xff, 0x13, 0x37] },
        { "empty object", "{}"u8.ToArray() },
        { "array", "[\"key\", \"GeckoCore\"]"u8.ToArray() },
        { "another service", Encoding.UTF8.GetBytes("{\"key\":\"k\",\"service\":\"RosMaster\",\"pid\":1,\"name\":\"x\"}") },
        { "key not a string", "{\"key\":42,\"service\":\"GeckoCore\"}"u8.ToArray() },
        { "key too long", Encoding.UTF8.GetBytes($"{{\"key\":\"{new string('k', 300)}\",\"service\":\"GeckoCore\"}}") },
        { "too deep", Encoding.UTF8.GetBytes($"{{\"key\":{new string('[', 200)}") },
        { "invalid UTF-8", [.. "{\"key\":\""u8, 0xff, 0xfe, .. "\",\"service\":\"GeckoCore\"}"u8] },
        { "truncated", "{\"key\":\"k\",\"serv"u8.ToArray() },
        { "oversized", Encoding.UTF8.GetBytes($"{{\"key\":\"k\",\"service\":\"GeckoCore\",\"name\":\"{new string('n', 4000)}\"}}") },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Responder_Garbage_IsIgnoredAndTheNextLookUpAnswered(string what, byte[] datagram)
    {
        var key = UniqueKey();
        await using var responder = BeaconResponder.Start(BeaconSettings.Default, key, "tcp://127.0.0.1:45041", "tcp://127.0.0.1:45042");

        using (var sender = LoopbackSender())
            sender.SendTo(datagram, new IPEndPoint(BeaconSettings.Default.Group, BeaconSettings.Default.Port));
        await Eventually.UntilAsync(() => responder.Ignored >= 1, Patience, $"the responder to count the {what} datagram as ignored");

        Assert.Equal("tcp://127.0.0.1:45041", BeaconLookup.Ask(key, Loopback)?.InAddress);
        await Eventually.UntilAsync(() => responder.Answered >= 1, Patience, "the responder to count its answer");
    }

    [Theory]
    [MemberData(nameof(Garbage))]
    public void TryParseRequest_Garbage_IsRefusedWithAReason(string what, byte[] datagram)
    {
        Assert.False(BeaconMessages.TryParseRequest(datagram, out var request, out var reason), what);
        Assert.Null(request);
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Fact]
    public void TryParseRequest_PygeckoStyleRequest_IsRead()
    {
        var datagram = "{\"key\": \"robot1\", \"service\": \"GeckoCore\", \"pid\": 4242, \"name\": \"imu_node\"}"u8.ToArray();

        Assert.True(BeaconMessages.TryParseRequest(datagram, out var request, out _));
        Assert.Equal(new BeaconMessages.Request("robot1", 4242, "imu_node"), request);
    }

    [Fact]
    public void TryParseReply_MalformedEndpoint_IsRefused()
    {
        Assert.False(BeaconMessages.TryParseReply("{\"in_addr\": \"udp://127.0.0.1:1\", \"out_addr\": \"tcp://127.0.0.1:1\"}"u8.ToArray(), out _, out var reason));
        Assert.Contains("in_addr", reason);
        Assert.True(BeaconMessages.TryParseReply("{\"in_addr\": \"tcp://10.0.0.2:9998\", \"out_addr\": \"tcp://10.0.0.2:9999\"}"u8.ToArray(), out var reply, out _));
        Assert.Equal(new BeaconMessages.Reply("tcp://10.0.0.2:9998", "tcp://10.0.0.2:9999", null, null), reply);
    }

    [Fact]
    public async Task Responder_Disposed_NoLongerAnswers()
    {
        var key = UniqueKey();
        var responder = BeaconResponder.Start(BeaconSettings.Default, key, "tcp://127.0.0.1:45051", "tcp://127.0.0.1:45052");
        Assert.NotNull(BeaconLookup.Ask(key, Loopback));

        await responder.DisposeAsync();

        Assert.Null(BeaconLookup.Ask(key, Loopback with { Timeout = TimeSpan.FromMilliseconds(300) }));
    }

    [Fact]
    public void Start_PortHeldByAnUnsharedSocket_SaysSoClearly()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        holder.Bind(new IPEndPoint(IPAddress.Any, 0));
        var port = ((IPEndPoint)holder.LocalEndPoint!).Port;
        var settings = (BeaconSettings.Default with { Port = port }).Validated();

        var error = Assert.Throws<GeckoException>(() => BeaconResponder.Start(settings, UniqueKey(), "tcp://127.0.0.1:1", "tcp://127.0.0.1:2"));

        Assert.Contains($"UDP port {port}", error.Message);
        Assert.Null(BeaconResponder.TryStart(settings, UniqueKey(), "tcp://127.0.0.1:1", "tcp://127.0.0.1:2"));
    }

    [Fact]
    public void Ask_UnknownInterface_NamesTheAvailableOnes()
    {
        var error = Assert.Throws<GeckoConfigurationException>(() => BeaconLookup.Ask(UniqueKey(), BeaconSettings.Default.OnInterfaces("no-such-nic0")));

        Assert.Contains("beacon interface 'no-such-nic0': no interface of that name", error.Message);
        Assert.Contains("127.0.0.1", error.Message);
    }

    /// <summary>A socket that multicasts on loopback, as a look-up does.</summary>
    private static Socket LoopbackSender()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.Loopback.GetAddressBytes());
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
        return socket;
    }
}
