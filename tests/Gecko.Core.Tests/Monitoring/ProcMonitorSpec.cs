using Akka.Actor;
using Gecko.Core.Monitoring;
using Gecko.Core.Wire;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests.Monitoring;

/// <summary>The monitor on fixture /proc files and a manual clock: every number it reports is known exactly.</summary>
public sealed class ProcMonitorSpec : Akka.TestKit.Xunit2.TestKit
{
    private const int Camera = 5000, OtherUser = 5001, Zombie = 5002, KernelThread = 2, Reused = 5003, Ending = 5004;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly FixtureProcRoot _proc = new();
    private readonly ManualTimeProvider _clock = new();

    private IActorRef StartMonitor(bool sameUserOnly = true, int maxProcesses = 256)
    {
        var settings = MonitorSettings.Default with { ProcRoot = _proc.Root, SameUserOnly = sameUserOnly, MaxProcesses = maxProcesses };
        // An hour between timer samples: in these tests only SampleNow samples, after the one at start.
        var monitor = Sys.ActorOf(ProcMonitor.Props(settings, TimeSpan.FromHours(1), TestActor, _clock, FixtureProcRoot.HubPid, clockTicksPerSecond: 100));
        ExpectMsg<ProcMonitor.UsageSampled>(Timeout);
        return monitor;
    }

    private MonitorReport SampleNow(IActorRef monitor)
    {
        monitor.Tell(ProcMonitor.SampleNow.Instance);
        // The report target (this test) hears of the sample first, then the one who asked (this test too).
        var sampled = ExpectMsg<ProcMonitor.UsageSampled>(Timeout).Report;
        Assert.Same(sampled, ExpectMsg<ProcMonitor.CurrentUsage>(Timeout).Report);
        return sampled;
    }

    private static ProcMonitor.Register Alive(int pid, string name) => new(new ProcInfo(pid, name, true));

    [Fact]
    public void Monitor_must_compute_cpu_and_memory_percent_exactly_from_two_samples()
    {
        var monitor = StartMonitor();
        monitor.Tell(Alive(Camera, "camera"));
        var first = SampleNow(monitor);
        // No time passed since the registration's baseline: no CPU yet, but memory and threads are known.
        var camera = Assert.Single(first.Processes);
        Assert.Equal(new MonitoredProcess(Camera, "camera", new ProcessUsage(0, 5, 409600L * 1024, 4)), camera);

        _proc.MoveToLaterState();
        _clock.Advance(TimeSpan.FromSeconds(4));
        var later = SampleNow(monitor);

        // 150 → 350 ticks of 1/100 s in 4 s: 2 s of CPU over 4 s of wall time.
        camera = Assert.Single(later.Processes);
        Assert.Equal(50.0, camera.Usage.CpuPercent, 9);
        Assert.Equal(5.0, camera.Usage.MemoryPercent, 9);
        Assert.Equal(409600L * 1024, camera.Usage.ResidentBytes);
        Assert.Equal(6, camera.Usage.Threads);
        // The hub: 1500 → 1900 ticks in the same 4 s is one core, fully busy.
        Assert.Equal(100.0, later.Hub.CpuPercent, 9);
        Assert.Equal(10.0, later.Hub.MemoryPercent, 9);
        Assert.Equal(33, later.Hub.Threads);
    }

    [Fact]
    public void Monitor_must_drop_processes_that_ended_and_pids_reused_by_another_process()
    {
        var monitor = StartMonitor();
        monitor.Tell(Alive(Camera, "camera"));
        monitor.Tell(Alive(Reused, "lidar"));
        monitor.Tell(Alive(Ending, "imu"));
        Assert.Equal([Camera, Reused, Ending], SampleNow(monitor).Processes.Select(p => p.Pid));

        _proc.MoveToLaterState();
        _proc.End(Ending);
        _clock.Advance(TimeSpan.FromSeconds(4));

        // 5003 still exists, but started at another time: it is not the lidar node any more.
        Assert.Equal([Camera], SampleNow(monitor).Processes.Select(p => p.Pid));
    }

    [Fact]
    public void Monitor_must_drop_a_process_that_unregisters()
    {
        var monitor = StartMonitor();
        monitor.Tell(Alive(Camera, "camera"));
        Assert.Single(SampleNow(monitor).Processes);

        monitor.Tell(new ProcMonitor.Register(new ProcInfo(Camera, "camera", false)));

        Assert.Empty(SampleNow(monitor).Processes);
    }

    [Fact]
    public void Monitor_must_refuse_registrations_it_should_not_follow_and_say_why()
    {
        var rejections = CreateTestProbe();
        Sys.EventStream.Subscribe(rejections, typeof(ProcMonitor.RegistrationRejected));
        var monitor = StartMonitor();

        monitor.Tell(Alive(1, "init"));
        monitor.Tell(Alive(-7, "negative"));
        monitor.Tell(Alive(999999, "nobody"));
        monitor.Tell(Alive(OtherUser, "sshd"));
        monitor.Tell(Alive(Zombie, "zombie"));
        monitor.Tell(Alive(KernelThread, "kthreadd"));

        var reasons = Enumerable.Range(0, 6).Select(_ => rejections.ExpectMsg<ProcMonitor.RegistrationRejected>(Timeout))
            .ToDictionary(r => r.Info.Pid, r => r.Reason);
        Assert.Contains("init", reasons[1]);
        Assert.Contains("not a process id", reasons[-7]);
        Assert.Contains("no live process", reasons[999999]);
        Assert.Contains("belongs to user 1001, not to the hub's user 1000", reasons[OtherUser]);
        Assert.Contains("no live process", reasons[Zombie]);
        Assert.Contains("kernel thread", reasons[KernelThread]);
        Assert.Empty(SampleNow(monitor).Processes);
    }

    [Fact]
    public void Monitor_must_follow_another_users_process_when_same_user_only_is_off()
    {
        var monitor = StartMonitor(sameUserOnly: false);
        monitor.Tell(Alive(OtherUser, "sshd"));
        monitor.Tell(Alive(1, "init"));

        Assert.Equal([OtherUser], SampleNow(monitor).Processes.Select(p => p.Pid));
    }

    [Fact]
    public void Monitor_must_refuse_registrations_beyond_its_table_size()
    {
        var rejections = CreateTestProbe();
        Sys.EventStream.Subscribe(rejections, typeof(ProcMonitor.RegistrationRejected));
        var monitor = StartMonitor(maxProcesses: 2);

        monitor.Tell(Alive(Camera, "camera"));
        monitor.Tell(Alive(Reused, "lidar"));
        monitor.Tell(Alive(Ending, "imu"));

        var rejected = rejections.ExpectMsg<ProcMonitor.RegistrationRejected>(Timeout);
        Assert.Equal(Ending, rejected.Info.Pid);
        Assert.Contains("max-processes", rejected.Reason);
        Assert.Equal([Camera, Reused], SampleNow(monitor).Processes.Select(p => p.Pid));
        // A known process registering again is not a new one: the full table does not refuse it. A rejection would be
        // published before the sample that follows the check.
        monitor.Tell(Alive(Camera, "camera again"));
        Assert.Equal("camera again", SampleNow(monitor).Processes.Single(p => p.Pid == Camera).Name);
        rejections.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void Monitor_must_bound_names_and_replace_control_characters()
    {
        var monitor = StartMonitor();
        monitor.Tell(Alive(Camera, "\u001b[2Jcam\nera" + new string('x', 10_000)));
        monitor.Tell(Alive(Reused, ""));

        var processes = SampleNow(monitor).Processes;

        var camera = processes.Single(p => p.Pid == Camera);
        Assert.Equal(ProcInfo.MaxNameLength, camera.Name.Length);
        Assert.StartsWith("?[2Jcam?era", camera.Name);
        // No name given: the system's name of the process.
        Assert.Equal("lidar", processes.Single(p => p.Pid == Reused).Name);
    }

    [Fact]
    public void Monitor_must_list_the_hubs_listening_and_established_tcp_sockets()
    {
        var monitor = StartMonitor();

        var connections = SampleNow(monitor).Connections;

        Assert.Equal(
        [
            new TcpConnection(TcpState.Listen, new TcpEndpoint("::1", 9997), null),
            new TcpConnection(TcpState.Listen, new TcpEndpoint("127.0.0.1", 9998), null),
            new TcpConnection(TcpState.Listen, new TcpEndpoint("127.0.0.1", 9999), null),
            new TcpConnection(TcpState.Established, new TcpEndpoint("::ffff:127.0.0.1", 9997), new TcpEndpoint("::ffff:127.0.0.1", 54469)),
            new TcpConnection(TcpState.Established, new TcpEndpoint("127.0.0.1", 9998), new TcpEndpoint("127.0.0.1", 54466)),
        ], connections);
        Assert.Equal("[::1]:9997", connections[0].Local.ToString());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _proc.Dispose();
    }
}
