using System.Globalization;
using Akka.Configuration;
using Gecko.Core.Hub;
using Gecko.Core.Monitoring;
using Gecko.Core.Monitoring.Internal;
using Gecko.Core.Routing;
using Gecko.Core.Wire;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests.Monitoring;

/// <summary>A real hub on loopback ports with real Python clients: what its stats say about processes and connections.</summary>
public sealed class HubMonitoringSpec : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempFolder _coreFiles = new();
    private GeckoHub _hub = null!;

    public async Task InitializeAsync()
    {
        var settings = CoreSettings.Create(ConfigurationFactory.ParseString($$"""
            gecko.core {
              in-address = "tcp://127.0.0.1:0"
              out-address = "tcp://127.0.0.1:0"
              stats-interval = 200ms
              core-file-directory = "{{_coreFiles.Path}}"
            }
            """));
        _hub = await GeckoHub.StartAsync(Sys, settings);
    }

    private static int Port(string endpoint) => int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);

    /// <summary>The client's own end of its connection to <paramref name="hubPort"/>, as its /proc tables tell it.</summary>
    private static TcpEndpoint? ClientEnd(ChildProcess client, int hubPort) =>
        new ProcFileSystem("/proc", ProcFileSystem.SystemClockTicksPerSecond()).TcpConnections(client.Pid)
            .FirstOrDefault(c => c.State == TcpState.Established && c.Remote?.Port == hubPort)?.Local;

    [Fact]
    public async Task Hub_stats_must_list_both_listening_ports_and_a_connection_to_each_client()
    {
        var inPort = Port(_hub.InAddress);
        var outPort = Port(_hub.OutAddress);
        using var publisher = ChildProcess.Python("Monitoring/python/client.py", ["pub", _hub.InAddress]);
        using var subscriber = ChildProcess.Python("Monitoring/python/client.py", ["sub", _hub.OutAddress]);
        await publisher.WaitForLineAsync(l => l == "ready", Timeout);
        await subscriber.WaitForLineAsync(l => l == "ready", Timeout);

        HubStats stats = null!;
        await Eventually.UntilAsync(async () =>
        {
            stats = await _hub.GetStatsAsync();
            var publisherEnd = ClientEnd(publisher, inPort);
            var subscriberEnd = ClientEnd(subscriber, outPort);
            return publisherEnd is not null && subscriberEnd is not null
                && stats.Connections.Contains(new TcpConnection(TcpState.Established, new TcpEndpoint("127.0.0.1", inPort), publisherEnd))
                && stats.Connections.Contains(new TcpConnection(TcpState.Established, new TcpEndpoint("127.0.0.1", outPort), subscriberEnd));
        }, Timeout, "the hub's connections to both clients", () => string.Join('\n', stats?.Connections ?? []));

        Assert.Contains(new TcpConnection(TcpState.Listen, new TcpEndpoint("127.0.0.1", inPort), null), stats.Connections);
        Assert.Contains(new TcpConnection(TcpState.Listen, new TcpEndpoint("127.0.0.1", outPort), null), stats.Connections);
        Assert.True(stats.Hub.ResidentBytes > 0 && stats.Hub.Threads > 1, $"the hub's own line: {stats.Hub}");
    }

    [Fact]
    public async Task Hub_stats_must_carry_the_usage_of_a_node_registered_on_core_info_until_it_ends()
    {
        var publisher = ChildProcess.Python("Monitoring/python/client.py", ["pub", _hub.InAddress]);
        var pid = publisher.Pid;
        await publisher.WaitForLineAsync(l => l == "ready", Timeout);

        MonitoredProcess? node = null;
        await Eventually.UntilAsync(async () =>
        {
            node = (await _hub.GetStatsAsync()).Processes.FirstOrDefault(p => p.Pid == pid);
            // Usage arrives with the first sample after the registration.
            return node is { Usage.Threads: > 0 };
        }, Timeout, "the registered node with its usage in the stats");
        Assert.Equal("py-pub", node!.Name);
        Assert.True(node.Usage.ResidentBytes > 1 << 20);

        publisher.Dispose(); // SIGKILL: no goodbye on core_info, the monitor notices by itself

        await Eventually.UntilAsync(async () => (await _hub.GetStatsAsync()).Processes.All(p => p.Pid != pid),
            Timeout, "the ended node to leave the stats");
    }

    [Fact]
    public async Task Hub_must_refuse_hostile_registrations_from_the_wire_and_show_names_as_plain_text()
    {
        var rejections = CreateTestProbe();
        Sys.EventStream.Subscribe(rejections, typeof(ProcMonitor.RegistrationRejected));
        using var node = ChildProcess.Python("Monitoring/python/hostile.py", [_hub.InAddress]);
        await node.WaitForLineAsync(l => l == "ready", Timeout);

        // Its own registration comes after the hostile ones on the same connection: once it is in, they were handled.
        MonitoredProcess? own = null;
        await Eventually.UntilAsync(async () =>
        {
            own = (await _hub.GetStatsAsync()).Processes.FirstOrDefault(p => p.Pid == node.Pid);
            return own is not null;
        }, Timeout, "the node's own registration");

        var stats = await _hub.GetStatsAsync();
        Assert.Equal([node.Pid], stats.Processes.Select(p => p.Pid));
        Assert.Equal(ProcInfo.MaxNameLength, own!.Name.Length);
        Assert.StartsWith("?[2J?[31mredxxx", own.Name, StringComparison.Ordinal);
        Assert.Equal(1, rejections.ExpectMsg<ProcMonitor.RegistrationRejected>(Timeout).Info.Pid);
        // Negative, oversized and non-integer pids never reach the monitor: the hub counts them as malformed.
        Assert.True(stats.Malformed[MalformedReason.BadRegistration] >= 3, $"malformed: {string.Join(", ", stats.Malformed)}");
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _coreFiles.Dispose();
    }
}
