using Akka.Configuration;
using Gecko.Core.Hub;
using Gecko.Core.Routing;
using Gecko.Testing;
using NetMQ;
using NetMQ.Sockets;
using Xunit;

namespace Gecko.Launch.Tests.Cli;

/// <summary>
/// The tools as real <c>gecko</c> child processes against a real hub in the test process: OS-chosen loopback ports, a
/// key and a core-file folder of the test's own, no GECKO_CORE_* of the test run in the children's environment.
/// </summary>
public abstract class ToolSpec : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    /// <summary>Generous: the machine is shared; every wait ends as soon as its condition holds.</summary>
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // Expectations without a timeout of their own wait up to 15 s: on a loaded machine the 3 s default ran out.
    protected ToolSpec() : base("akka.loglevel = WARNING\nakka.test.single-expect-default = 15s") { }

    protected TempFolder CoreFiles { get; } = new("gecko-tool-test-");

    protected string Key { get; } = $"test-{Guid.NewGuid():N}";

    protected GeckoHub Hub { get; private set; } = null!;

    /// <summary>Extra <c>gecko.core</c> settings of this class's hub.</summary>
    protected virtual string HubConfig => "";

    public virtual async Task InitializeAsync()
    {
        var settings = CoreSettings.Create(ConfigurationFactory.ParseString($$"""
            gecko.core {
              in-address = "tcp://127.0.0.1:0"
              out-address = "tcp://127.0.0.1:0"
              stats-interval = 1s
              key = "{{Key}}"
              core-file-directory = "{{CoreFiles.Path}}"
              beacon.interfaces = ["lo"]
              {{HubConfig}}
            }
            """));
        Hub = await GeckoHub.StartAsync(Sys, settings);
    }

    public virtual async Task DisposeAsync()
    {
        await Hub.DisposeAsync();
        CoreFiles.Dispose();
    }

    /// <summary>No hub from the test run's environment: only what the arguments say.</summary>
    protected static readonly Dictionary<string, string> NoHubInEnvironment = new()
    {
        ["GECKO_CORE_IN"] = "",
        ["GECKO_CORE_OUT"] = "",
        ["GECKO_CORE_KEY"] = "",
    };

    /// <summary>Starts <c>gecko ARGS --in ... --out ...</c> pointed at this test's hub.</summary>
    protected ChildProcess Tool(params string[] args) =>
        ChildProcess.Gecko([.. args, "--in", Hub.InAddress, "--out", Hub.OutAddress, "--timeout", "30"], NoHubInEnvironment);

    /// <summary>Runs a tool to its end: its exit code and every line (stderr lines prefixed <c>stderr: </c>).</summary>
    protected async Task<(int ExitCode, IReadOnlyList<string> Lines)> RunAsync(params string[] args)
    {
        using var tool = Tool(args);
        return await tool.RunToEndAsync(Timeout);
    }

    /// <summary>Runs <c>gecko ARGS</c> exactly as given (no hub arguments).</summary>
    protected static async Task<(int ExitCode, IReadOnlyList<string> Lines)> RunBareAsync(params string[] args)
    {
        using var tool = ChildProcess.Gecko(args, NoHubInEnvironment);
        return await tool.RunToEndAsync(Timeout);
    }

    /// <summary>A publisher connected to the hub: probes until the hub has counted one.</summary>
    protected async Task<PublisherSocket> ConnectedPublisherAsync()
    {
        var publisher = new PublisherSocket();
        publisher.Options.Linger = TimeSpan.FromSeconds(2);
        publisher.Options.SendHighWatermark = 0;
        publisher.Connect(Hub.InAddress);
        var probe = $"probe/{Guid.NewGuid():N}";
        await Eventually.UntilAsync(async () =>
        {
            publisher.SendMoreFrame(probe).SendFrame([]);
            return (await Hub.GetStatsAsync()).Topic(probe) is not null;
        }, Timeout, "the publisher connected");
        return publisher;
    }

    /// <summary>
    /// Waits until an external subscriber's prefix matches <paramref name="topic"/>: a tool's subscription has reached the
    /// hub, so what is published from now on reaches it. The topic is created for the hub to report on it.
    /// </summary>
    protected async Task ExternalSubscriberOfAsync(string topic, ChildProcess tool)
    {
        Hub.Topics.GetOrAdd(topic);
        await Eventually.UntilAsync(async () => (await Hub.GetStatsAsync()).Topic(topic)?.ExternalSubscribers == true, Timeout,
            $"a subscriber of {topic}", () => tool.Transcript);
    }
}
