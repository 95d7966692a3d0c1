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
    public void Node_must_refuse_a_hub_found_on_ipc_with_what_to_do_instead()
    {
        var error = Assert.Throws<Gecko.Core.GeckoConfigurationException>(() => StandaloneNode.Init("ipc-node",
            Quiet with { InAddress = "ipc:///tmp/gecko-test-in.sock", OutAddress = Hub.OutAddress }));

        Assert.Contains("in ipc:///tmp/gecko-test-in.sock", error.Message);
        Assert.Contains("a .NET node cannot connect to a Unix socket", error.Message);
        Assert.Contains("tcp://", error.Message);
    }

    /// <summary>A node reads the process's environment, which comes before the core file and the beacon.</summary>
    private static void AssertNoHubInTheEnvironment() =>
        Assert.True(
            string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(HubLocator.InVariable)) &&
            string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(HubLocator.OutVariable)),
            "GECKO_CORE_IN/GECKO_CORE_OUT are set in the test run's environment and would win over discovery: unset them.");
}
