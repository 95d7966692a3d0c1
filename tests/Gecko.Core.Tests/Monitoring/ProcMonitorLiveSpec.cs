using Akka.Actor;
using Gecko.Core.Monitoring;
using Gecko.Core.Monitoring.Internal;
using Gecko.Core.Wire;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests.Monitoring;

/// <summary>The monitor on this machine's real /proc, with real child processes.</summary>
public sealed class ProcMonitorLiveSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private IActorRef StartMonitor() =>
        Sys.ActorOf(ProcMonitor.Props(MonitorSettings.Default, TimeSpan.FromMilliseconds(200)));

    private static async Task<MonitorReport> SampleAsync(IActorRef monitor) =>
        (await monitor.Ask<ProcMonitor.CurrentUsage>(ProcMonitor.SampleNow.Instance, Timeout)).Report;

    private static ProcMonitor.Register Alive(int pid, string name) => new(new ProcInfo(pid, name, true));

    [Fact]
    public async Task Monitor_must_show_a_busy_process_using_clearly_more_cpu_than_an_idle_one()
    {
        using var busy = ChildProcess.Python("Monitoring/python/spin.py", ["busy"]);
        using var idle = ChildProcess.Python("Monitoring/python/spin.py", ["idle"]);
        await busy.WaitForLineAsync(l => l == "ready", Timeout);
        await idle.WaitForLineAsync(l => l == "ready", Timeout);
        var monitor = StartMonitor();
        monitor.Tell(Alive(busy.Pid, "busy"));
        monitor.Tell(Alive(idle.Pid, "idle"));

        // One core spinning shows near 100 % on an idle machine; the margins leave room for a loaded one.
        MonitorReport report = MonitorReport.Empty;
        await Eventually.UntilAsync(async () =>
        {
            report = await SampleAsync(monitor);
            var b = report.Processes.FirstOrDefault(p => p.Pid == busy.Pid)?.Usage;
            var i = report.Processes.FirstOrDefault(p => p.Pid == idle.Pid)?.Usage;
            return b is not null && i is not null && b.CpuPercent > 25 && b.CpuPercent > 5 * i.CpuPercent + 10;
        }, Timeout, "the busy process to show clearly more CPU than the idle one", () => string.Join('\n', report.Processes));

        var idleUsage = report.Processes.Single(p => p.Pid == idle.Pid).Usage;
        Assert.InRange(idleUsage.CpuPercent, 0, 10);
        Assert.True(idleUsage.ResidentBytes > 1 << 20, $"a Python process has more than 1 MB resident: {idleUsage}");
        Assert.True(idleUsage.MemoryPercent > 0);
        Assert.True(idleUsage.Threads >= 1);
    }

    [Fact]
    public async Task Monitor_must_drop_a_process_once_it_has_ended()
    {
        var monitor = StartMonitor();
        var sleeper = ChildProcess.Program("/bin/sleep", ["60"]);
        var pid = sleeper.Pid;
        monitor.Tell(Alive(pid, "sleeper"));
        Assert.Contains((await SampleAsync(monitor)).Processes, p => p.Pid == pid && p.Name == "sleeper");

        sleeper.Dispose(); // killed and reaped

        Assert.DoesNotContain((await SampleAsync(monitor)).Processes, p => p.Pid == pid);
    }

    [Fact]
    public async Task Monitor_must_refuse_pid_1_and_processes_of_another_user()
    {
        var rejections = CreateTestProbe();
        Sys.EventStream.Subscribe(rejections, typeof(ProcMonitor.RegistrationRejected));
        var monitor = StartMonitor();
        using var stranger = StrangersProcess(out var strangerPid);

        monitor.Tell(Alive(1, "init"));
        monitor.Tell(Alive(strangerPid, "stranger"));

        var reasons = Enumerable.Range(0, 2).Select(_ => rejections.ExpectMsg<ProcMonitor.RegistrationRejected>(Timeout))
            .ToDictionary(r => r.Info.Pid, r => r.Reason);
        Assert.Contains("init", reasons[1]);
        Assert.Contains("belongs to user", reasons[strangerPid]);
        Assert.Empty((await SampleAsync(monitor)).Processes);
    }

    /// <summary>
    /// A live process of another user: as root, a child started as nobody; otherwise any process of another user
    /// (root's, at least, run on every machine).
    /// </summary>
    private static ChildProcess? StrangersProcess(out int pid)
    {
        var probe = new ProcFileSystem("/proc", ProcFileSystem.SystemClockTicksPerSecond());
        var own = probe.TryRead(Environment.ProcessId)!.Uid;
        if (own == 0)
        {
            var child = ChildProcess.Program("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sleep", "60"]);
            pid = child.Pid;
            // setpriv execs sleep in the same process once it has changed users.
            var deadline = DateTime.UtcNow + Timeout;
            while (probe.TryRead(pid) is not { Uid: 65534, Command: "sleep" })
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException("setpriv did not start sleep as nobody");
                Thread.Yield();
            }
            return child;
        }
        pid = Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var p) ? p : 0)
            .First(p => p > 1 && probe.TryRead(p) is { IsKernelThread: false, Uid: { } uid } && uid != own);
        return null;
    }

    [Fact]
    public void PortableProbe_OwnProcess_ReadsCpuMemoryAndThreads()
    {
        // What the monitor falls back to elsewhere than Linux, checked against the proc filesystem here.
        var portable = PortableProcessProbe.Instance.TryRead(Environment.ProcessId);
        var proc = new ProcFileSystem("/proc", ProcFileSystem.SystemClockTicksPerSecond()).TryRead(Environment.ProcessId);

        Assert.NotNull(portable);
        Assert.NotNull(proc);
        Assert.True(portable.CpuSeconds > 0);
        Assert.InRange(portable.CpuSeconds, proc.CpuSeconds - 0.5, proc.CpuSeconds + 5);
        Assert.True(portable.ResidentBytes > 1 << 20);
        Assert.True(portable.Threads > 1);
        Assert.Null(PortableProcessProbe.Instance.TryRead(-1));
        Assert.Empty(PortableProcessProbe.Instance.TcpConnections(Environment.ProcessId));
    }
}
