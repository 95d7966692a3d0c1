using Gecko.Testing;
using Akka.Actor;
using Gecko.Core.Hub;
using Gecko.Core.Messages;
using Gecko.Core.Routing;
using Xunit;

namespace Gecko.Actors.Tests.Standalone;

/// <summary>Standalone nodes as real processes (the standalone example) against a real hub in the test process.</summary>
public class StandaloneNodeSpec : HubTestKit
{
    private const string Listener = "Gecko.Examples.Standalone.dll";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly Imu Reference = new(new Vector(0, 0, 9.81), new Vector(0.01, 0.02, 0.03), new Vector(20, -5, 40), 1537100000.25);
    private const string ReferenceLine = "accel 0 0 9.81 gyro 0.01 0.02 0.03 mag 20 -5 40 t 1537100000.25";

    private Dictionary<string, string> HubEnvironment() => new()
    {
        ["GECKO_CORE_IN"] = Hub.InAddress,
        ["GECKO_CORE_OUT"] = Hub.OutAddress,
    };

    private ChildProcess StartListener(string topic) =>
        ChildProcess.Dotnet(Listener, ["listener", "--topic", topic], HubEnvironment());

    /// <summary>Publishes the reference IMU in process until the child prints it (ZeroMQ's slow joiner), bounded.</summary>
    private async Task PublishUntilReceived(ChildProcess listener, string topic)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            Hub.Router.Tell(new TopicRouter.Publish(topic, Reference));
            try
            {
                await listener.WaitForLineAsync(l => l.Contains(ReferenceLine), TimeSpan.FromMilliseconds(100));
                return;
            }
            catch (TimeoutException) when (!listener.HasExited) { }
        }
        throw new TimeoutException("The listener never printed the IMU:\n" + listener.Transcript);
    }

    [Fact]
    public async Task Python_imu_publisher_must_reach_a_standalone_subscriber_as_a_typed_imu()
    {
        using var listener = StartListener("py-imu");
        await listener.WaitForLineAsync(l => l.StartsWith("listener ready"), Timeout);

        using var python = ChildProcess.Python("python/publish_imu.py", [Hub.InAddress, "py-imu"]);

        var line = await listener.WaitForLineAsync(l => l.StartsWith("imu "), Timeout);
        Assert.EndsWith(ReferenceLine, line);
    }

    [Fact]
    public async Task In_process_publisher_must_reach_a_standalone_and_a_python_subscriber_with_equal_fields()
    {
        using var listener = StartListener("inproc-imu");
        using var python = ChildProcess.Python("python/print_typed.py", [Hub.OutAddress, "inproc-imu", "1"]);
        await listener.WaitForLineAsync(l => l.StartsWith("listener ready"), Timeout);
        await python.WaitForLineAsync(l => l == "ready", Timeout);

        await PublishUntilReceived(listener, "inproc-imu");

        var line = await python.WaitForLineAsync(l => l.StartsWith("ext "), Timeout);
        Assert.Equal("ext 10 [[0.0, 0.0, 9.81], [0.01, 0.02, 0.03], [20.0, -5.0, 40.0], 1537100000.25]", line);
    }

    [Fact]
    public async Task Standalone_node_must_announce_its_host_and_topics_in_its_registration()
    {
        using var listener = StartListener("announced");
        await listener.WaitForLineAsync(l => l.StartsWith("listener ready"), Timeout);

        await AwaitAssertAsync(async () =>
        {
            var stats = await Hub.GetStatsAsync();
            var node = Assert.Single(stats.Nodes, n => n.Pid == listener.Pid);
            Assert.Equal(("listener", NodeKind.Process, System.Net.Dns.GetHostName()), (node.Name, node.Kind, node.Host));
            Assert.NotNull(node.Usage);
            Assert.Equal(["announced"], node.Subscribes);
            // Its subscription is the only one on "announced", and it announced it: the count is exact.
            Assert.Equal(new ParticipantCount(1, true), stats.Topic("announced")!.Subscribers);
        }, Timeout, TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Standalone_node_must_be_registered_while_alive_and_leave_on_SIGTERM()
    {
        using var listener = StartListener("registration");
        await listener.WaitForLineAsync(l => l.StartsWith("listener ready"), Timeout);

        await AwaitAssertAsync(async () =>
        {
            var processes = await Hub.Router.Ask<TopicRouter.CurrentProcesses>(TopicRouter.GetProcesses.Instance);
            Assert.Contains(processes.Processes, p => p.Pid == listener.Pid && p.Name == "listener");
        }, Timeout, TimeSpan.FromMilliseconds(100));

        listener.Signal(15);

        await listener.WaitForLineAsync(l => l == "listener stopping", Timeout);
        Assert.Equal(0, await listener.WaitForExitAsync(Timeout));
        await AwaitAssertAsync(async () =>
        {
            var processes = await Hub.Router.Ask<TopicRouter.CurrentProcesses>(TopicRouter.GetProcesses.Instance);
            Assert.DoesNotContain(processes.Processes, p => p.Pid == listener.Pid);
        }, Timeout, TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Standalone_subscriber_must_receive_again_after_the_hub_restarts()
    {
        using var listener = StartListener("restart");
        await listener.WaitForLineAsync(l => l.StartsWith("listener ready"), Timeout);
        await PublishUntilReceived(listener, "restart");

        // Kill the hub and start a new one on the same endpoints; the listener is not touched.
        var settings = Hub.Settings with { InAddress = Hub.InAddress, OutAddress = Hub.OutAddress };
        await Hub.DisposeAsync();
        await ReplaceHubAsync(settings);

        await PublishUntilReceived(listener, "restart");
        Assert.False(listener.HasExited);
    }
}
