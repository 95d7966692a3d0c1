using Akka.Actor;
using Gecko.Actors.Standalone;
using Gecko.Core.Routing;
using Gecko.Testing;
using Xunit;

namespace Gecko.Actors.Tests.Standalone;

/// <summary>A standalone node is in the hub's process set while it runs and leaves it when it stops, however it stops.</summary>
public class StandaloneRegistrationSpec : HubTestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private async Task<bool> IsRegistered(int pid, string name)
    {
        var current = await Hub.Router.Ask<TopicRouter.CurrentProcesses>(TopicRouter.GetProcesses.Instance, Timeout);
        return current.Processes.Any(p => p.Pid == pid && p.Name == name);
    }

    [Fact]
    public async Task Node_must_deregister_on_shutdown_while_its_process_lives_on()
    {
        using var node = StandaloneNode.Init("registrar", new NodeOptions
        {
            InAddress = Hub.InAddress,
            OutAddress = Hub.OutAddress,
            HandleSignals = false,
            LogToConsole = false,
        });
        await Eventually.UntilAsync(() => IsRegistered(Environment.ProcessId, "registrar"), Timeout, "the node's registration");

        node.Shutdown();

        // This process is still alive: only the node's alive=false registration can take it out of the set.
        await Eventually.UntilAsync(async () => !await IsRegistered(Environment.ProcessId, "registrar"), Timeout, "the node's de-registration");
    }

    [Fact]
    public async Task Node_process_must_leave_the_process_set_when_it_ends_by_itself()
    {
        using var talker = ChildProcess.Dotnet("Gecko.Examples.Standalone.dll", ["talker", "--topic", "registration-exit", "--hz", "50", "--count", "100"], new Dictionary<string, string>
        {
            ["GECKO_CORE_IN"] = Hub.InAddress,
            ["GECKO_CORE_OUT"] = Hub.OutAddress,
        });

        await Eventually.UntilAsync(() => IsRegistered(talker.Pid, "talker"), Timeout, "the talker's registration", () => talker.Transcript);
        var (exit, lines) = await talker.RunToEndAsync(Timeout);

        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.Contains("talker stopping", lines);
        await Eventually.UntilAsync(async () => !await IsRegistered(talker.Pid, "talker"), Timeout, "the talker to leave the process set");
    }
}
