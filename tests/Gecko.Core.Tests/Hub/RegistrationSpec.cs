using Akka.Actor;
using Gecko.Core.Routing;
using Gecko.Core.Wire;
using Gecko.Testing;
using MessagePack;
using Xunit;

namespace Gecko.Core.Tests.Hub;

/// <summary>Nodes register their process on <c>core_info</c>: <c>{"proc_info": [pid, name, alive]}</c>.</summary>
public sealed class RegistrationSpec : HubSpec
{
    private async Task<IReadOnlyList<ProcInfo>> ProcessesAsync() =>
        (await Hub.Router.Ask<TopicRouter.CurrentProcesses>(TopicRouter.GetProcesses.Instance, Timeout)).Processes;

    private async Task ProcessesUntilAsync(Func<IReadOnlyList<ProcInfo>, bool> condition, string what)
    {
        IReadOnlyList<ProcInfo> processes = [];
        await Eventually.UntilAsync(async () => condition(processes = await ProcessesAsync()), Timeout, what,
            () => $"Registered: {string.Join(", ", processes)}");
    }

    [Fact]
    public async Task Hub_must_register_a_live_process_and_forget_it_when_it_says_it_is_leaving()
    {
        using var node = ZeroMqNodes.Publisher(Hub.InAddress);
        await ConnectAsync(node, 0);
        var pid = Environment.ProcessId;

        node.Send(WireProtocol.CoreInfoTopic, new ProcInfo(pid, "talker", Alive: true).Encode());
        await ProcessesUntilAsync(p => p.Any(x => x.Pid == pid), "the registration");

        Assert.Equal(new ProcInfo(pid, "talker", true), (await ProcessesAsync()).Single());
        // The stats show it with its usage once the process monitor has sampled it.
        var stats = await StatsUntilAsync(s => s.Processes.Any(p => p.Pid == pid), "the process in the stats");
        Assert.Equal("talker", stats.Processes.Single().Name);

        node.Send(WireProtocol.CoreInfoTopic, new ProcInfo(pid, "talker", Alive: false).Encode());
        await ProcessesUntilAsync(p => p.Count == 0, "the de-registration");
        Assert.Equal(0, (await Hub.GetStatsAsync()).MalformedTotal);
    }

    [Fact]
    public async Task Hub_must_register_pygeckos_own_bytes_and_forget_processes_that_died()
    {
        using var sleeper = ChildProcess.Program("sleep", ["60"]);
        using var node = ZeroMqNodes.Publisher(Hub.InAddress);
        await ConnectAsync(node, 0);
        // As pygecko's packer writes it: a fixmap, str keys, [int, str, bool].
        var payload = MessagePackSerializer.Serialize(new Dictionary<string, object[]> { ["proc_info"] = [sleeper.Pid, "camera", true] });

        node.Send(WireProtocol.CoreInfoTopic, payload);
        await ProcessesUntilAsync(p => p.Any(x => x.Pid == sleeper.Pid && x.Name == "camera"), "the registration");

        sleeper.Dispose(); // killed without a word: the hub notices on its next tick
        await ProcessesUntilAsync(p => p.Count == 0, "the dead process forgotten");
    }

    [Fact]
    public async Task Hub_must_count_unreadable_registrations_as_malformed_and_register_nothing()
    {
        using var node = ZeroMqNodes.Publisher(Hub.InAddress);
        await ConnectAsync(node, 0);
        byte[][] garbage =
        [
            [],                                                                              // empty
            [0xC1],                                                                          // never used in MessagePack
            MessagePackSerializer.Serialize("proc_info"),                                    // not a map
            MessagePackSerializer.Serialize(new Dictionary<string, object> { ["other"] = 1 }),  // no proc_info
            MessagePackSerializer.Serialize(new Dictionary<string, object[]> { ["proc_info"] = [42, "short"] }),        // two fields
            MessagePackSerializer.Serialize(new Dictionary<string, object[]> { ["proc_info"] = ["42", "text", true] }), // pid not a number
            MessagePackSerializer.Serialize(new Dictionary<string, object[]> { ["proc_info"] = [-5, "negative", true] }),
            MessagePackSerializer.Serialize(new Dictionary<string, object[]> { ["proc_info"] = [42, 17, true] }),     // name not a string
            MessagePackSerializer.Serialize(new Dictionary<string, object[]> { ["proc_info"] = [42, "x", "yes"] }),   // alive not a bool
            new ProcInfo(42, "cut", true).Encode()[..^3],                                    // truncated
            [0x81, 0xA1, (byte)'x', 0xC6, 0xF8, 0x51, 0xD9, 0x24, 1, 2],                     // a 4 GB bin announced (its skip throws ArgumentOutOfRangeException)
            NestedDeep(200_000),                                                            // deep nesting, then cut short
        ];

        foreach (var payload in garbage) node.Send(WireProtocol.CoreInfoTopic, payload);
        var stats = await DrainAsync(node, 0);

        Assert.Equal(garbage.Length, stats.Malformed[MalformedReason.BadRegistration]);
        Assert.Equal(garbage.Length, stats.MalformedTotal);
        Assert.Empty(await ProcessesAsync());
        // Still forwarded and counted as traffic on core_info: only the registration is refused.
        Assert.Equal(garbage.Length, stats.Topic(WireProtocol.CoreInfoTopic)!.Messages);
    }

    /// <summary>A map whose first value is <paramref name="depth"/> arrays inside each other, then the registration.</summary>
    private static byte[] NestedDeep(int depth)
    {
        var bytes = new List<byte> { 0x82, 0xA1, (byte)'x' };
        bytes.AddRange(Enumerable.Repeat((byte)0x91, depth)); // fixarray of one, nested
        bytes.Add(0xC0);
        bytes.AddRange(new ProcInfo(42, "deep", true).Encode()[1..]); // "proc_info": [...] without its map header
        return bytes.ToArray()[..^1]; // cut the last byte: unreadable, so it must be counted, not registered
    }
}
