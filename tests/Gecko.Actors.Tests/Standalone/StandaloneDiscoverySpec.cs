using Akka.Actor;
using Gecko.Actors.Standalone;
using Gecko.Core.Discovery;
using Gecko.Core.Messages;
using Gecko.Core.Routing;
using Gecko.Testing;
using Xunit;

namespace Gecko.Actors.Tests.Standalone;

/// <summary>A standalone node finds the test's hub by its core file or by beacon, with nothing else to go on, and talks to it.</summary>
public class StandaloneDiscoverySpec : HubTestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static readonly BeaconSettings Loopback = BeaconSettings.Default.OnInterfaces("127.0.0.1") with { Timeout = Timeout };

    private NodeOptions Quiet => new() { HandleSignals = false, LogToConsole = false, Beacon = Loopback };

    /// <summary>Publishes in process until the node's subscriber has it (ZeroMQ's slow joiner), bounded.</summary>
    private async Task AssertReceives(StandaloneNode node, string topic)
    {
        var received = new TaskCompletionSource<Vector>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Subscribe<Vector>(topic, v => received.TrySetResult(v));
        var sent = new Vector(1, 2, 3);
        await Eventually.UntilAsync(() =>
        {
            Hub.Router.Tell(new TopicRouter.Publish(topic, sent));
            return received.Task.IsCompleted;
        }, Timeout, $"the node to receive on '{topic}'");
        Assert.Equal(sent, await received.Task);
    }

    [Fact]
    public async Task Node_must_find_the_hub_by_its_core_file()
    {
        AssertNoHubInTheEnvironment();
        using var node = StandaloneNode.Init("core-file-finder", Quiet with { CoreFileDirectory = CoreFileDirectory });

        Assert.Equal((Hub.InAddress, Hub.OutAddress, HubSource.CoreFile), (node.InAddress, node.OutAddress, node.Hub.Source));
        await AssertReceives(node, "found-by-core-file");
    }

    [Fact]
    public async Task Node_must_find_the_hub_by_beacon_when_given_its_key()
    {
        AssertNoHubInTheEnvironment();
        using var empty = new TempFolder();
        using var node = StandaloneNode.Init("beacon-finder", Quiet with { Key = HubKey, CoreFileDirectory = empty.Path });

        Assert.Equal((Hub.InAddress, Hub.OutAddress, HubSource.Beacon), (node.InAddress, node.OutAddress, node.Hub.Source));
        await AssertReceives(node, "found-by-beacon");
    }

    [Fact]
    public async Task Node_must_find_a_hub_on_ipc_by_its_core_file_and_talk_to_it_over_the_unix_socket()
    {
        AssertNoHubInTheEnvironment();
        using var folder = new TempFolder();
        var settings = Hub.Settings with
        {
            InAddress = $"ipc://{folder.Combine("in.sock")}",
            OutAddress = $"ipc://{folder.Combine("out.sock")}",
            CoreFileDirectory = folder.Path,
            Key = $"test-{Guid.NewGuid():N}",
        };
        await using var ipcHub = await Gecko.Core.Hub.GeckoHub.StartAsync(Sys, settings, name: $"gecko-router-{Guid.NewGuid():N}");
        using var node = StandaloneNode.Init("ipc-finder", Quiet with { CoreFileDirectory = folder.Path });

        Assert.Equal((ipcHub.InAddress, ipcHub.OutAddress, HubSource.CoreFile), (node.InAddress, node.OutAddress, node.Hub.Source));
        var received = new TaskCompletionSource<Vector>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Subscribe<Vector>("found-on-ipc", v => received.TrySetResult(v));
        await Eventually.UntilAsync(() =>
        {
            ipcHub.Router.Tell(new TopicRouter.Publish("found-on-ipc", new Vector(4, 5, 6)));
            return received.Task.IsCompleted;
        }, Timeout, "the node to receive over ipc");
        Assert.Equal(new Vector(4, 5, 6), await received.Task);
    }

    /// <summary>A node reads the process's environment, which comes before the core file and the beacon.</summary>
    private static void AssertNoHubInTheEnvironment() =>
        Assert.True(
            string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(HubLocator.InVariable)) &&
            string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(HubLocator.OutVariable)),
            "GECKO_CORE_IN/GECKO_CORE_OUT are set in the test run's environment and would win over discovery: unset them.");
}
