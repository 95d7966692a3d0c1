using System.Diagnostics;
using System.Text.RegularExpressions;
using Gecko.Core.Routing;
using Xunit;
using Xunit.Abstractions;

namespace Gecko.Launch.Tests.Reliability;

/// <summary>
/// A standalone node launched by <c>gecko launch</c> and killed with SIGKILL, three times: each time the launcher starts
/// it again and the new process registers with the hub, and the test measures how long that took.
/// </summary>
[Collection("reliability")]
public sealed partial class ProcessRespawnTests(ITestOutputHelper output) : IDisposable
{
    private LaunchedHub? _hub;

    [GeneratedRegex(@"\bsensor restarted \(pid (\d+), restart (\d+)\)")]
    private static partial Regex Restarted();

    [Fact]
    public async Task KilledProcess_RespawnedByTheLauncher_RegistersAgainAndPublishes()
    {
        var example = Path.Combine(AppContext.BaseDirectory, "Gecko.Examples.Standalone.dll");
        _hub = await LaunchedHub.LaunchAsync($$"""
            gecko.processes.sensor {
              command = dotnet
              args = ["{{example}}", talker, --topic, respawn, --hz, "50"]
              restart = on-failure
              restart-delay = 200ms
            }
            """);
        var hub = _hub;
        var pid = (await hub.StatsUntilAsync(s => Talker(s) is not null, "the talker's registration")).Nodes.First(IsTalker).Pid;

        var times = new List<TimeSpan>();
        for (var restart = 1; restart <= 3; restart++)
        {
            var killed = pid;
            var clock = Stopwatch.StartNew();
            Process.GetProcessById(killed).Kill(); // SIGKILL
            var stats = await hub.StatsUntilAsync(s => Talker(s) is { } node && node.Pid != killed, "the respawned talker's registration");
            times.Add(clock.Elapsed);
            pid = Talker(stats)!.Pid;

            var line = Restarted().Match(await hub.Process.WaitForLineAsync(l => Restarted().IsMatch(l), LaunchedHub.Timeout));
            Assert.Equal((pid.ToString(), restart.ToString()), (line.Groups[1].Value, line.Groups[2].Value));
            Assert.DoesNotContain(stats.Nodes, n => n.Pid == killed);
            // It publishes again: the topic's count grows past what the hub had at its registration.
            var before = stats.Topic("respawn")?.Messages ?? 0;
            await hub.StatsUntilAsync(s => s.Topic("respawn")?.Messages > before, "messages from the respawned talker");
        }

        output.WriteLine($"SIGKILL to re-registration (restart-delay 200ms): {string.Join(", ", times.Select(t => $"{t.TotalMilliseconds:0} ms"))}");
        Assert.Equal(0, await hub.StopAsync());
    }

    /// <summary>The talker's own registration on core_info (the launcher registers its pid too, but announces no topics).</summary>
    private static bool IsTalker(NodeStats node) => node.Kind == NodeKind.Process && node.Publishes.Contains("respawn");

    private static NodeStats? Talker(HubStats stats) => stats.Nodes.FirstOrDefault(IsTalker);

    public void Dispose() => _hub?.Dispose();
}
