using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using Gecko.Actors.Standalone;
using Gecko.Core.Hub;
using Gecko.Core.Messages;
using Gecko.Testing;
using Xunit;

namespace Gecko.Actors.Tests.Standalone;

/// <summary>
/// Loss the hub cannot see: a standalone publisher's messages while no hub is there (ZeroMQ's PUB drops them
/// silently). The publisher counts each, announces the count in its registration, and the hub shows it on the topic;
/// what the hub received plus what the publisher counted is exactly what was published.
/// </summary>
public sealed class StandalonePublisherLossSpec : HubTestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static NodeOptions Options(string inAddress, string outAddress) => new()
    {
        InAddress = inAddress, OutAddress = outAddress, RegistrationInterval = TimeSpan.FromMilliseconds(200),
        HandleSignals = false, LogToConsole = false,
    };

    /// <summary>A hub of its own at addresses the test chose (the nodes were started before it).</summary>
    private Task<GeckoHub> StartHubAtAsync(string inAddress, string outAddress) =>
        GeckoHub.StartAsync(Sys, CoreSettings.Create(ConfigurationFactory.ParseString($$"""
            gecko.core {
              in-address = "{{inAddress}}"
              out-address = "{{outAddress}}"
              stats-interval = 200ms
              core-file-directory = "{{CoreFileDirectory}}"
              key = "test-{{Guid.NewGuid():N}}"
              beacon.enabled = off
            }
            """)), name: $"gecko-router-{Guid.NewGuid():N}");

    [Fact]
    public async Task Publisher_must_count_what_no_hub_received_and_the_hub_must_show_it_on_the_topic()
    {
        var (inAddress, outAddress) = ($"tcp://127.0.0.1:{FreePort()}", $"tcp://127.0.0.1:{FreePort()}");
        using var node = StandaloneNode.Init("lossy", Options(inAddress, outAddress));
        var publisher = node.Publisher<Vector>("loss");

        // Nobody listens at the hub's address yet: every message is dropped, and counted.
        for (var i = 0; i < 5000; i++) Assert.False(publisher.Publish(new Vector(i, 0, 0)));
        Assert.Equal(5000, publisher.Dropped);
        Assert.Equal(5000, node.Dropped["loss"]);

        // The hub comes up there: the node connects by itself and its next registration announces the count.
        await using var hub = await StartHubAtAsync(inAddress, outAddress);
        await Eventually.UntilAsync(async () => (await hub.GetStatsAsync()).Topic("loss")?.PublisherDropped == 5000, Timeout,
            "the node's announced drops on the topic");

        for (var i = 5000; i < 10_000; i++) publisher.Publish(new Vector(i, 0, 0));
        // Exact: every message either reached the hub or was counted by the publisher, and the hub shows that count.
        await Eventually.UntilAsync(async () =>
            (await hub.GetStatsAsync()) is var stats && stats.Topic("loss")!.Messages + publisher.Dropped == 10_000
            && stats.Topic("loss")!.PublisherDropped == publisher.Dropped, Timeout, "every message counted once, here or there",
            () => $"hub {hub.GetStatsAsync().Result.Topic("loss")?.Messages}, publisher dropped {publisher.Dropped}");
        Assert.Equal(0, (await hub.GetStatsAsync()).Topic("loss")!.Dropped);
    }
    [Fact]
    public async Task Hub_must_keep_the_announcements_of_two_nodes_in_one_process_apart()
    {
        var (inAddress, outAddress) = ($"tcp://127.0.0.1:{FreePort()}", $"tcp://127.0.0.1:{FreePort()}");
        using var left = StandaloneNode.Init("left", Options(inAddress, outAddress));
        using var right = StandaloneNode.Init("right", Options(inAddress, outAddress));
        var leftPublisher = left.Publisher<Vector>("loss/left");
        var rightPublisher = right.Publisher<Vector>("loss/right");
        right.Subscribe<Vector>("cmd/right", _ => { });
        for (var i = 0; i < 300; i++) leftPublisher.Publish(new Vector(i, 0, 0));
        for (var i = 0; i < 700; i++) rightPublisher.Publish(new Vector(i, 0, 0));

        // One pid, two registrations: each node's drops and topics stay its own (they replaced each other before).
        await using var hub = await StartHubAtAsync(inAddress, outAddress);
        await Eventually.UntilAsync(async () => (await hub.GetStatsAsync()) is var stats
            && stats.Topic("loss/left")?.PublisherDropped == 300 && stats.Topic("loss/right")?.PublisherDropped == 700
            && stats.Nodes.Any(n => n.Pid == Environment.ProcessId && n.Publishes.Contains("loss/left") && n.Publishes.Contains("loss/right")
                && n.Subscribes.Contains("cmd/right")),
            Timeout, "both nodes' drops on their topics, and the process with both nodes' topics");
    }
}
