using System.Collections.Concurrent;
using Akka.Configuration;
using Gecko.Core.Configuration;
using Gecko.Core.Routing;
using Gecko.Launch.Dashboard;
using Gecko.Launch.Launching;
using Gecko.Launch.LaunchFiles;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Launching;

/// <summary>A dashboard that records what the launcher shows, for tests to wait on.</summary>
internal sealed class RecordingDashboard : IDashboard
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ConcurrentQueue<HubStats> Reports { get; } = new();

    public void Show(HubStats stats) => Reports.Enqueue(stats);

    public void ProcessLine(string process, string line, bool isError) => Lines.Enqueue($"[{process}] {line}");

    public void Event(string text) => Lines.Enqueue($"gecko: {text}");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public string Transcript => string.Join('\n', Lines);

    /// <summary>Polls until <paramref name="condition"/> holds, bounded by <paramref name="timeout"/>.</summary>
    public Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        Eventually.UntilAsync(condition, timeout, what, () => $"Transcript:\n{Transcript}");

    public int Count(string fragment) => Lines.Count(l => l.Contains(fragment));
}

public sealed class LauncherTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("gecko-launch-test-").FullName;

    private LaunchPlan Plan(params ProcessSpec[] processes)
    {
        var config = ConfigurationFactory.ParseString($$"""
            gecko.core {
              in-address = "tcp://127.0.0.1:0"
              out-address = "tcp://127.0.0.1:0"
              stats-interval = 200ms
              core-file-directory = "{{_folder}}"
            }
            """).WithFallback(GeckoConfig.Defaults);
        return new LaunchPlan(Path.Combine(_folder, "test.conf"), config, [], processes);
    }

    private static ProcessSpec Shell(string name, string script, RestartPolicy restart = RestartPolicy.Never, int maxRestarts = 5,
        bool required = false, double delaySeconds = 0.2) =>
        new(name, "/bin/sh", ["-c", script], null, new Dictionary<string, string>(), restart, TimeSpan.FromSeconds(delaySeconds),
            maxRestarts, TimeSpan.FromSeconds(60), required, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    private (Task<int> Run, CancellationTokenSource Stop, RecordingDashboard Dashboard) Start(LaunchPlan plan)
    {
        var dashboard = new RecordingDashboard();
        var stop = new CancellationTokenSource();
        var launcher = new Launcher(plan, _ => dashboard, Path.Combine(_folder, "run"));
        return (Task.Run(() => launcher.RunAsync(TextWriter.Null, stop.Token)), stop, dashboard);
    }

    private static int PidFrom(string line) => int.Parse(line[(line.LastIndexOf(' ') + 1)..]);

    [Fact]
    public async Task Process_KilledWithSigkill_IsRestartedAfterDelayAndReRegisters()
    {
        var (run, stop, dashboard) = Start(Plan(Shell("worker", "echo pid $$; exec sleep 60", RestartPolicy.OnFailure, delaySeconds: 1)));

        await dashboard.WaitUntilAsync(() => dashboard.Count("[worker] pid ") == 1, Timeout, "the first start");
        var firstPid = PidFrom(dashboard.Lines.First(l => l.StartsWith("[worker] pid ")));
        await dashboard.WaitUntilAsync(() => dashboard.Reports.Any(r => r.Processes.Any(p => p.Pid == firstPid)), Timeout, "registration");

        var killed = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(0, Kill(firstPid, 9));

        await dashboard.WaitUntilAsync(() => dashboard.Count("[worker] pid ") == 2, Timeout, "the restart");
        // Not before its delay (a lower bound: a loaded machine can only make it later).
        Assert.True(killed.Elapsed >= TimeSpan.FromSeconds(1), $"restarted {killed.Elapsed.TotalSeconds:0.00} s after the kill, before its 1 s delay");
        var secondPid = PidFrom(dashboard.Lines.Last(l => l.StartsWith("[worker] pid ")));
        Assert.NotEqual(firstPid, secondPid);
        Assert.Contains(dashboard.Lines, l => l.Contains("[worker] exited with code 137; restarting in 1 s"));
        await dashboard.WaitUntilAsync(() => dashboard.Reports.LastOrDefault() is { } r && r.Processes.Any(p => p.Pid == secondPid)
            && r.Processes.All(p => p.Pid != firstPid), Timeout, "re-registration");

        stop.Cancel();
        Assert.Equal(0, await run.WaitAsync(Timeout));
    }

    [Fact]
    public async Task OnFailure_CleanExit_IsNotRestarted()
    {
        var (run, stop, dashboard) = Start(Plan(Shell("once", "echo done", RestartPolicy.OnFailure), Shell("keepalive", "exec sleep 60")));

        await dashboard.WaitUntilAsync(() => dashboard.Count("[once] exited with code 0") == 1, Timeout, "the clean exit");
        // The restart delay is 0.2 s: a report cycle later the process must still not have come back.
        var reports = dashboard.Reports.Count;
        await dashboard.WaitUntilAsync(() => dashboard.Reports.Count >= reports + 3, Timeout, "three more reports");
        Assert.Equal(1, dashboard.Count("[once] done"));

        stop.Cancel();
        Assert.Equal(0, await run.WaitAsync(Timeout));
    }

    [Fact]
    public async Task RestartLimit_Reached_StopsRestartingAndSaysSo()
    {
        var (run, stop, dashboard) = Start(Plan(Shell("crasher", "echo up; exit 3", RestartPolicy.Always, maxRestarts: 2, delaySeconds: 0.05)));

        await dashboard.WaitUntilAsync(() => dashboard.Count("giving up") == 1, Timeout, "the restart limit");
        Assert.Equal(3, dashboard.Count("[crasher] up"));
        Assert.Contains(dashboard.Lines, l => l.Contains("crasher keeps failing"));

        stop.Cancel();
        Assert.Equal(0, await run.WaitAsync(Timeout));
    }

    [Fact]
    public async Task RequiredProcess_Dying_StopsEverythingWithNonZeroExit()
    {
        var (run, _, dashboard) = Start(Plan(
            Shell("bystander", $"echo pid $$; touch {_folder}/bystander-up; exec sleep 60"),
            // It ends once the bystander runs (waiting at most 30 s), so there is something to stop.
            Shell("vital", $"for i in $(seq 600); do [ -e {_folder}/bystander-up ] && break; sleep 0.05; done; exit 4", required: true)));

        var exitCode = await run.WaitAsync(Timeout);

        Assert.Equal(Launcher.RequiredProcessEnded, exitCode);
        Assert.Contains(dashboard.Lines, l => l.Contains("required process vital exited with code 4"));
        var bystander = PidFrom(dashboard.Lines.First(l => l.StartsWith("[bystander] pid ")));
        Assert.False(Directory.Exists($"/proc/{bystander}"), "the bystander must be stopped too");
    }

    [Fact]
    public async Task Stop_ChildIgnoringSigint_IsStoppedWithinTimeoutsAndLeavesNoDescendant()
    {
        // The shell ignores SIGINT and so does its sleeping child: only SIGTERM/SIGKILL end them.
        var (run, stop, dashboard) = Start(Plan(Shell("stubborn", "trap '' INT; sleep 60 & echo child $!; echo pid $$; wait")));
        await dashboard.WaitUntilAsync(() => dashboard.Count("[stubborn] pid ") == 1, Timeout, "the start");
        var shell = PidFrom(dashboard.Lines.First(l => l.StartsWith("[stubborn] pid ")));
        var child = PidFrom(dashboard.Lines.First(l => l.StartsWith("[stubborn] child ")));

        stop.Cancel();

        Assert.Equal(0, await run.WaitAsync(Timeout));
        Assert.False(IsAlive(shell), "the process must be gone");
        Assert.False(IsAlive(child), "its descendant must be gone");
        Assert.Contains(dashboard.Lines, l => l.Contains("[stubborn] still running 1 s after SIGINT: sending SIGTERM"));
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
