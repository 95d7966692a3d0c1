using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Actor;
using Gecko.Core.Messages;
using Gecko.Core.Routing;
using Gecko.Core.Wire;
using Gecko.Testing;
using NetMQ;
using Xunit;

namespace Gecko.Launch.Tests.Cli;

/// <summary><c>gecko node list|info</c> and <c>gecko log</c> as real child processes against a real hub.</summary>
public sealed partial class NodeAndLogToolsTests : ToolSpec
{
    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d{3} (?<level>\S+)\s+(?<rest>.*)$")]
    private static partial Regex LogLine();

    /// <summary>Three nodes of each kind: this test process registered with its topics, a node on another machine, an in-process actor.</summary>
    private async Task RegisterNodesAsync()
    {
        using var publisher = await ConnectedPublisherAsync();
        var local = new ProcInfo(Environment.ProcessId, "odometry", true) { Host = System.Net.Dns.GetHostName(), Publishes = ["odom"], Subscribes = ["cmd"] };
        var remote = new ProcInfo(4242, "pi-camera", true) { Host = "robot-pi", Publishes = ["camera/left", "camera/right"], AnnouncesTopics = true };
        Hub.Router.Tell(new TopicRouter.DeclarePublisher("cmd", TestActor));
        await Eventually.UntilAsync(async () =>
        {
            publisher.SendMoreFrame(WireProtocol.CoreInfoTopic).SendFrame(local.Encode());
            publisher.SendMoreFrame(WireProtocol.CoreInfoTopic).SendFrame(remote.Encode());
            var stats = await Hub.GetStatsAsync();
            return stats.Nodes.Any(n => n.Name == "odometry" && n.Usage is not null) && stats.Nodes.Any(n => n.Name == "pi-camera")
                   && stats.Nodes.Any(n => n.Name == TestActor.Path.Name);
        }, Timeout, "the nodes registered and sampled");
    }

    [Fact]
    public async Task NodeList_ShowsEveryKindWithItsTopics()
    {
        await RegisterNodesAsync();

        var (exit, lines) = await RunAsync("node", "list");

        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.StartsWith($"hub [{Environment.ProcessId}] on {System.Net.Dns.GetHostName()}  key {Key}", lines[0]);
        var odometry = Columns(lines.Single(l => l.StartsWith("odometry ", StringComparison.Ordinal)));
        Assert.Equal(["odometry", "process", $"{Environment.ProcessId}", System.Net.Dns.GetHostName()], odometry[..4]);
        Assert.Matches(@"^\d+\.\d$", odometry[4]); // CPU %
        Assert.EndsWith("odom / cmd", lines.Single(l => l.StartsWith("odometry ", StringComparison.Ordinal)));
        var camera = lines.Single(l => l.StartsWith("pi-camera ", StringComparison.Ordinal));
        Assert.Equal(["pi-camera", "remote", "4242", "robot-pi", "-", "-"], Columns(camera)[..6]);
        Assert.EndsWith("camera/left, camera/right / -", camera);
        var actor = lines.Single(l => l.StartsWith(TestActor.Path.Name + " ", StringComparison.Ordinal));
        Assert.Equal("in-process", Columns(actor)[1]);
        Assert.EndsWith("cmd / -", actor);
    }

    [Fact]
    public async Task NodeInfo_OneNode_ShowsUsageAndTopicsWithRates_JsonToo()
    {
        await RegisterNodesAsync();

        var (exit, lines) = await RunAsync("node", "info", "odometry");
        var (jsonExit, jsonLines) = await RunAsync("node", "info", "pi-camera", "--json");

        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.Equal($"odometry  (process, pid {Environment.ProcessId} on {System.Net.Dns.GetHostName()})", lines[0]);
        Assert.Matches(@"^  CPU \d+\.\d%  memory \d+\.\d%  \d+\.\d MB resident  \d+ threads$", lines[1]);
        Assert.Equal("  publishes:", lines[2]);
        Assert.StartsWith("    odom", lines[3]);
        Assert.Contains("no messages yet", lines[3]);
        Assert.Equal("  subscribes:", lines[4]);
        Assert.Equal(0, jsonExit);
        using var document = JsonDocument.Parse(string.Join('\n', jsonLines));
        var camera = document.RootElement.EnumerateArray().Single();
        Assert.Equal(("remote", "robot-pi", 4242), (camera.GetProperty("kind").GetString(), camera.GetProperty("host").GetString(), camera.GetProperty("pid").GetInt32()));
        Assert.Equal(JsonValueKind.Null, camera.GetProperty("cpu").ValueKind);
        Assert.Equal(["camera/left", "camera/right"], camera.GetProperty("publishes").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task NodeInfo_UnknownName_SaysWhichNodesThereAreAndExitsOne()
    {
        await RegisterNodesAsync();

        var (exit, lines) = await RunAsync("node", "info", "odometri");

        Assert.Equal(1, exit);
        var error = Assert.Single(lines);
        Assert.StartsWith("stderr: gecko node info: the hub knows no node named 'odometri' (did you mean 'odometry'?); it knows ", error);
        Assert.Contains("pi-camera", error);
    }

    [Fact]
    public async Task Log_LevelAndNodeFilters_PrintOnlyThoseLinesWithTimestamps()
    {
        using var log = Tool("log", "--level", "warn", "--node", "camera", "--color", "never", "-n", "2");
        await ExternalSubscriberOfAsync(WireProtocol.LogTopic, log);
        using var publisher = await ConnectedPublisherAsync();

        await Eventually.UntilAsync(() =>
        {
            foreach (var line in new[]
                     {
                         new LogMessage("INFO", "camera", "started"), new LogMessage("WARN", "imu", "drift"),
                         new LogMessage("WARN", "camera", "frame dropped"), new LogMessage("ERROR", "camera", "lens \u001b[31mcap"),
                     })
                publisher.SendMoreFrame(WireProtocol.LogTopic).SendFrame(GeckoSerializer.Encode(line));
            return log.HasExited;
        }, Timeout, "two lines printed");
        var (exit, lines) = await log.RunToEndAsync(Timeout);

        Assert.Equal(0, exit);
        var printed = lines.Where(l => !l.StartsWith("stderr:")).Select(l => LogLine().Match(l)).ToArray();
        Assert.All(printed, m => Assert.True(m.Success));
        Assert.Equal(["WARN camera: frame dropped", "ERROR camera: lens \\x1b[31mcap"], printed.Select(m => $"{m.Groups["level"].Value} {m.Groups["rest"].Value}"));
    }

    [Fact]
    public async Task Log_ColorAlways_ColoursErrorsRedAndKeepsGarbageVisible()
    {
        using var log = Tool("log", "--color", "always", "-n", "2");
        await ExternalSubscriberOfAsync(WireProtocol.LogTopic, log);
        using var publisher = await ConnectedPublisherAsync();

        await Eventually.UntilAsync(() =>
        {
            publisher.SendMoreFrame(WireProtocol.LogTopic).SendFrame(GeckoSerializer.Encode(new LogMessage("ERROR", "arm", "stalled")));
            publisher.SendMoreFrame(WireProtocol.LogTopic).SendFrame(GeckoSerializer.Encode(new Dictionary<string, object> { ["not"] = "a log line" }));
            return log.HasExited;
        }, Timeout, "two lines printed");
        var (exit, lines) = await log.RunToEndAsync(Timeout);

        Assert.Equal(0, exit);
        // An escape sequence starts the level's colour; the text itself is plain.
        Assert.Contains(lines, l => Regex.IsMatch(l, @"\u001b\[[0-9;]+mERROR") && l.Contains("arm: stalled"));
        Assert.Contains(lines, l => l.Contains("{\"not\":\"a log line\"}"));
    }

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
