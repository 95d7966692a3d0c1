using Akka.Actor;
using Akka.Configuration;
using Gecko.Actors.Standalone;
using Gecko.Core.Hub;
using Gecko.Core.Messages;
using Gecko.Core.Routing;
using Gecko.Testing;
using Xunit;

namespace Gecko.Actors.Tests.Standalone;

/// <summary>A .NET standalone node talks to a hub that serves only ipc:// endpoints (Unix sockets).</summary>
public sealed class StandaloneNodeIpcSpec : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempFolder _folder = new("gecko-ipc-node-test-");
    private GeckoHub _hub = null!;

    public StandaloneNodeIpcSpec() : base("akka.loglevel = WARNING") { }

    public async Task InitializeAsync() =>
        _hub = await GeckoHub.StartAsync(Sys, CoreSettings.Create(ConfigurationFactory.ParseString($$"""
            gecko.core {
              in-address = "ipc://{{_folder.Combine("in.sock")}}"
              out-address = "ipc://{{_folder.Combine("out.sock")}}"
              stats-interval = 200ms
              core-file-directory = "{{_folder.Path}}"
              key = "test-{{Guid.NewGuid():N}}"
              beacon.enabled = off
            }
            """)));

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _folder.Dispose();
    }

    private async Task<IReadOnlyList<Gecko.Core.Wire.ProcInfo>> ProcessesAsync() =>
        (await _hub.Router.Ask<TopicRouter.CurrentProcesses>(TopicRouter.GetProcesses.Instance, Timeout)).Processes;

    [Fact]
    public async Task Standalone_node_must_publish_subscribe_and_register_over_ipc()
    {
        var probe = CreateTestProbe();
        _hub.Router.Tell(new TopicRouter.Subscribe("ipc/imu", probe.Ref), probe.Ref);
        await probe.ExpectMsgAsync<TopicRouter.SubscribeAck>();
        var node = StandaloneNode.Init("ipc-node", new NodeOptions
        {
            InAddress = _hub.InAddress,
            OutAddress = _hub.OutAddress,
            HandleSignals = false,
            LogToConsole = false,
            RegistrationInterval = TimeSpan.FromMilliseconds(200),
        });
        try
        {
            var commands = new System.Collections.Concurrent.ConcurrentQueue<Twist>();
            node.Subscribe<Twist>("ipc/cmd", commands.Enqueue);
            var imu = new Imu(new Vector(0, 0, 9.81), new Vector(0, 0, 0), new Vector(0, 0, 0), 1.5);
            var publisher = node.Publisher<Imu>("ipc/imu");

            // Node → hub: publish until the in-process subscriber has one (the connection is made in the background).
            var deadline = DateTime.UtcNow + Timeout;
            object? received;
            do
            {
                Assert.True(DateTime.UtcNow < deadline, "no IMU from the node reached the hub");
                publisher.Publish(imu);
                received = await probe.ReceiveOneAsync(TimeSpan.FromMilliseconds(50));
            }
            while (received is null);
            Assert.Equal(GeckoSerializer.Encode(imu), Assert.IsType<byte[]>(Assert.IsType<TopicRouter.TopicMessage>(received).Message));

            // Hub → node: publish in process until the node's callback has one.
            var twist = new Twist(new Vector(0.5, 0, 0), new Vector(0, 0, 0.1));
            await Eventually.UntilAsync(() =>
            {
                _hub.Router.Tell(new TopicRouter.Publish("ipc/cmd", twist));
                return !commands.IsEmpty;
            }, Timeout, "a command delivered to the node");
            Assert.Equal(twist, commands.First());

            await Eventually.UntilAsync(async () => (await ProcessesAsync()).Any(p => p.Name == "ipc-node"), Timeout, "the node registered");
        }
        finally
        {
            node.Dispose();
        }

        // Its de-registration made it through the relay before the relay went.
        await Eventually.UntilAsync(async () => (await ProcessesAsync()).Count == 0, Timeout, "the node de-registered");
    }
}
