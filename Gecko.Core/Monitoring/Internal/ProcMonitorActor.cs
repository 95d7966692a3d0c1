using System.Text;
using Akka.Actor;
using Akka.Event;
using Gecko.Core.Wire;
using static Gecko.Core.Monitoring.ProcMonitor;

namespace Gecko.Core.Monitoring.Internal;

/// <summary>
/// Keeps the table of registered processes and samples it off the dispatcher: registrations are checked in batches
/// and samples taken in turn, one blocking task at a time, so a flood of registrations cannot starve the sampling.
/// </summary>
internal sealed class ProcMonitorActor : ReceiveActor, IWithTimers
{
    /// <summary>A process as last read: with the pid, its start time names it; CPU time and timestamp are the base of the next rate.</summary>
    private sealed record Baseline(long StartTime, double CpuSeconds, long Timestamp);

    private sealed record Followed(string Name, Baseline Baseline, ProcessUsage Usage);

    private sealed record Checked(ProcInfo Info, string Name, Baseline? Baseline, string? Rejection);

    private sealed record ChecksDone(IReadOnlyList<Checked> Results);

    private sealed record SampleResult(int Pid, long ExpectedStartTime, Baseline? Baseline, ProcessUsage? Usage, string? GoneBecause);

    private sealed record SampleDone(IReadOnlyList<SampleResult> Results, Baseline? Self, ProcessUsage Hub, IReadOnlyList<TcpConnection> Connections);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
        private Tick() { }
    }

    private static readonly TimeSpan WarningThrottle = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SampleLead = TimeSpan.FromMilliseconds(250);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly MonitorSettings _settings;
    private readonly TimeSpan _interval;
    private readonly IActorRef? _reportTo;
    private readonly IProcessProbe _probe;
    private readonly TimeProvider _clock;
    private readonly int _selfPid;
    private readonly SortedDictionary<int, Followed> _processes = new();
    private readonly Dictionary<int, ProcInfo> _pending = new();
    private readonly List<(IActorRef Asker, long Registrations, long SamplesStarted)> _waitingForSample = [];
    private Baseline? _self;
    private MonitorReport _lastSample = MonitorReport.Empty;
    private bool _checking;
    private bool _sampling;
    private bool _sampleDue;
    private bool _checkedSinceSample;
    private long _registrationsReceived;
    private long _registrationsChecking;
    private long _registrationsChecked;
    private long _sampleServes;
    private long _samplesStarted;
    private DateTime _lastRejectionWarning = DateTime.MinValue;
    private int _unloggedRejections;

    public ProcMonitorActor(MonitorSettings settings, TimeSpan interval, IActorRef? reportTo, IProcessProbe probe, TimeProvider clock, int selfPid)
    {
        _settings = settings;
        _interval = interval;
        _reportTo = reportTo;
        _probe = probe;
        _clock = clock;
        _selfPid = selfPid;

        Receive<Register>(HandleRegister);
        Receive<GetUsage>(_ => Sender.Tell(new CurrentUsage(Report())));
        Receive<SampleNow>(_ =>
        {
            // Answered by the first sample that starts after this request and after every registration received so far
            // is checked: one already running read /proc before the request.
            _waitingForSample.Add((Sender, _registrationsReceived, _samplesStarted));
            StartWork();
        });
        Receive<Tick>(_ =>
        {
            _sampleDue = true;
            StartWork();
        });
        Receive<ChecksDone>(HandleChecksDone);
        Receive<SampleDone>(HandleSampleDone);
        Receive<Status.Failure>(HandleFailure);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        // The first sample sets the hub's baseline, so the first report already has a rate.
        _sampleDue = true;
        StartWork();
        // Sampled a little before each interval ends: with the router's stats timer on the same interval, every report
        // then carries a sample taken just before it rather than one an interval old.
        var lead = TimeSpan.FromTicks(Math.Min(_interval.Ticks / 10, SampleLead.Ticks));
        Timers.StartPeriodicTimer("sample", Tick.Instance, _interval - lead, _interval);
    }

    private void HandleRegister(Register register)
    {
        var info = register.Info;
        if (!info.Alive)
        {
            _pending.Remove(info.Pid);
            if (_processes.Remove(info.Pid, out var left) && _log.IsInfoEnabled) _log.Info("Process {0} ({1}) left", left.Name, info.Pid);
            return;
        }
        if (info.Pid <= 0 || (info.Pid == 1 && _selfPid != 1))
        {
            Reject(info, info.Pid <= 0 ? "not a process id" : "pid 1 is the system's init process, never a node");
            return;
        }
        if (!_processes.ContainsKey(info.Pid) && !_pending.ContainsKey(info.Pid) && _processes.Count + _pending.Count >= _settings.MaxProcesses)
        {
            Reject(info, $"the monitor already follows {_settings.MaxProcesses} processes (gecko.core.monitor.max-processes)");
            return;
        }
        _pending[info.Pid] = info;
        _registrationsReceived++;
        StartWork();
    }

    /// <summary>Starts the next blocking task, if none runs: a due sample first, then the registrations waiting to be checked.</summary>
    private void StartWork()
    {
        if (_checking || _sampling) return;
        if (_pending.Count == 0) _registrationsChecked = _registrationsReceived; // the rest were withdrawn
        var askerWaitsForChecks = false;
        var askerReady = false;
        foreach (var (_, registrations, _) in _waitingForSample)
        {
            if (registrations > _registrationsChecked) askerWaitsForChecks = true;
            else askerReady = true;
        }
        var sampleWanted = _sampleDue || askerReady;
        // Registrations received before a due sample are checked first, so the sample includes them; after that, timer
        // samples and checks take turns, so a flood of registrations cannot stop the sampling.
        if (_pending.Count > 0 && (askerWaitsForChecks || !sampleWanted || !_checkedSinceSample)) StartChecks();
        else if (sampleWanted) StartSample();
    }

    private void StartChecks()
    {
        _checking = true;
        var batch = _pending.Values.ToArray();
        _pending.Clear();
        _registrationsChecking = _registrationsReceived;
        var probe = _probe;
        var clock = _clock;
        var selfPid = _selfPid;
        var sameUserOnly = _settings.SameUserOnly;
        Task.Run(() => Check(batch, probe, clock, selfPid, sameUserOnly)).PipeTo(Self);
    }

    private static ChecksDone Check(ProcInfo[] batch, IProcessProbe probe, TimeProvider clock, int selfPid, bool sameUserOnly)
    {
        var ownUid = sameUserOnly ? probe.TryRead(selfPid)?.Uid : null;
        var results = new List<Checked>(batch.Length);
        foreach (var info in batch)
        {
            var reading = probe.TryRead(info.Pid);
            var timestamp = clock.GetTimestamp();
            var name = BoundedName(info.Name, reading?.Command);
            string? rejection = reading switch
            {
                null => "no live process has this pid on this machine (or it cannot be read)",
                { IsKernelThread: true } => "it is a kernel thread, never a node",
                { Uid: { } uid } when sameUserOnly && ownUid is { } own && uid != own =>
                    $"it belongs to user {uid}, not to the hub's user {own} (gecko.core.monitor.same-user-only)",
                _ => null,
            };
            results.Add(new Checked(info, name, rejection is null ? new Baseline(reading!.StartTime, reading.CpuSeconds, timestamp) : null, rejection));
        }
        return new ChecksDone(results);
    }

    private void HandleChecksDone(ChecksDone done)
    {
        _checking = false;
        _checkedSinceSample = true;
        _registrationsChecked = _registrationsChecking;
        foreach (var result in done.Results)
        {
            if (result.Rejection is not null)
            {
                Reject(result.Info, result.Rejection);
                continue;
            }
            // An unregistration received while this was checked wins; the pending table holds a newer registration, if any.
            if (_pending.ContainsKey(result.Info.Pid)) continue;
            var baseline = result.Baseline!;
            if (_processes.TryGetValue(result.Info.Pid, out var known) && known.Baseline.StartTime == baseline.StartTime)
            {
                // The same process again (nodes repeat their registration): keep its baseline, take the newest name.
                _processes[result.Info.Pid] = known with { Name = result.Name };
                continue;
            }
            if (_processes.Count >= _settings.MaxProcesses)
            {
                Reject(result.Info, $"the monitor already follows {_settings.MaxProcesses} processes (gecko.core.monitor.max-processes)");
                continue;
            }
            _processes[result.Info.Pid] = new Followed(result.Name, baseline, ProcessUsage.None);
            if (_log.IsInfoEnabled) _log.Info("Registered process {0} ({1})", result.Name, result.Info.Pid);
        }
        StartWork();
    }

    private void StartSample()
    {
        _sampling = true;
        _sampleDue = false;
        _sampleServes = _registrationsChecked;
        _samplesStarted++;
        var targets = _processes.Select(p => (p.Key, p.Value.Baseline)).ToArray();
        var self = _self;
        var probe = _probe;
        var clock = _clock;
        var selfPid = _selfPid;
        Task.Run(() => Sample(targets, self, selfPid, probe, clock)).PipeTo(Self);
    }

    private static SampleDone Sample((int Pid, Baseline Baseline)[] targets, Baseline? self, int selfPid, IProcessProbe probe, TimeProvider clock)
    {
        var memory = probe.MemoryTotalBytes();
        var results = new List<SampleResult>(targets.Length);
        foreach (var (pid, baseline) in targets)
        {
            var reading = probe.TryRead(pid);
            var timestamp = clock.GetTimestamp();
            if (reading is null) results.Add(new SampleResult(pid, baseline.StartTime, null, null, "ended"));
            else if (reading.StartTime != baseline.StartTime)
                results.Add(new SampleResult(pid, baseline.StartTime, null, null, "ended (its pid now names another process)"));
            else results.Add(new SampleResult(pid, baseline.StartTime, Next(reading, timestamp), Usage(reading, baseline, timestamp, memory, clock), null));
        }
        var selfReading = probe.TryRead(selfPid);
        var selfTimestamp = clock.GetTimestamp();
        var hub = ProcessUsage.None;
        Baseline? selfNext = null;
        if (selfReading is not null)
        {
            var previous = self is not null && self.StartTime == selfReading.StartTime ? self : null;
            hub = Usage(selfReading, previous, selfTimestamp, memory, clock);
            selfNext = Next(selfReading, selfTimestamp);
        }
        return new SampleDone(results, selfNext, hub, probe.TcpConnections(selfPid));
    }

    private static Baseline Next(ProcessReading reading, long timestamp) => new(reading.StartTime, reading.CpuSeconds, timestamp);

    /// <summary>psutil's <c>cpu_percent</c>: CPU seconds over wall seconds since the previous reading, 100 = one core.</summary>
    private static ProcessUsage Usage(ProcessReading reading, Baseline? previous, long timestamp, long memoryTotalBytes, TimeProvider clock)
    {
        var cpu = 0.0;
        if (previous is not null)
        {
            var wall = clock.GetElapsedTime(previous.Timestamp, timestamp).TotalSeconds;
            if (wall > 0) cpu = Math.Max(0, 100.0 * (reading.CpuSeconds - previous.CpuSeconds) / wall);
        }
        return new ProcessUsage(cpu, 100.0 * reading.ResidentBytes / Math.Max(1, memoryTotalBytes), reading.ResidentBytes, reading.Threads);
    }

    private void HandleSampleDone(SampleDone done)
    {
        _sampling = false;
        _checkedSinceSample = false;
        foreach (var result in done.Results)
        {
            // Unregistered or replaced while the sample ran: this reading is not about the entry there now.
            if (!_processes.TryGetValue(result.Pid, out var followed) || followed.Baseline.StartTime != result.ExpectedStartTime) continue;
            if (result.Baseline is null)
            {
                _processes.Remove(result.Pid);
                if (_log.IsInfoEnabled) _log.Info("Process {0} ({1}) {2}", followed.Name, result.Pid, result.GoneBecause);
            }
            else
            {
                _processes[result.Pid] = followed with { Baseline = result.Baseline, Usage = result.Usage! };
            }
        }
        _self = done.Self;
        _lastSample = new MonitorReport(_clock.GetUtcNow(), done.Hub, [], done.Connections);
        var report = Report();
        _reportTo?.Tell(new UsageSampled(report));
        if (_waitingForSample.Count > 0)
        {
            var current = new CurrentUsage(report);
            // This sample is number _samplesStarted (no other starts while one runs).
            foreach (var (asker, registrations, samplesStarted) in _waitingForSample)
                if (registrations <= _sampleServes && samplesStarted < _samplesStarted) asker.Tell(current);
            _waitingForSample.RemoveAll(w => w.Registrations <= _sampleServes && w.SamplesStarted < _samplesStarted);
        }
        StartWork();
    }

    /// <summary>The last sample, with the table as it is now: a process registered since then is listed with no usage yet.</summary>
    private MonitorReport Report() =>
        _lastSample with { Processes = _processes.Select(p => new MonitoredProcess(p.Key, p.Value.Name, p.Value.Usage)).ToArray() };

    private void HandleFailure(Status.Failure failure)
    {
        // A probe never throws for a process that vanished; anything else is a bug worth seeing, not a reason to stop sampling.
        _log.Error(failure.Cause, "Sampling processes failed");
        if (_checking) _registrationsChecked = _registrationsChecking;
        _checking = false;
        _sampling = false;
        StartWork();
    }

    private void Reject(ProcInfo info, string reason)
    {
        var rejected = new RegistrationRejected(info with { Name = BoundedName(info.Name, null) }, reason);
        Context.System.EventStream.Publish(rejected);
        // Throttled: the registration may come from a node in a loop, or from someone flooding core_info.
        if (DateTime.UtcNow - _lastRejectionWarning < WarningThrottle)
        {
            _unloggedRejections++;
            return;
        }
        _log.Warning("Refused to monitor pid {0} registered as '{1}': {2}{3}", info.Pid, rejected.Info.Name, reason,
            _unloggedRejections > 0 ? $" ({_unloggedRejections} more refusals since the last warning)" : "");
        _lastRejectionWarning = DateTime.UtcNow;
        _unloggedRejections = 0;
    }

    /// <summary>
    /// The name as shown: at most <see cref="ProcInfo.MaxNameLength"/> characters, control characters (which could drive the
    /// terminal of whoever watches the dashboard) replaced; the system's name of the process when none was given.
    /// </summary>
    internal static string BoundedName(string name, string? command)
    {
        if (string.IsNullOrWhiteSpace(name)) name = string.IsNullOrWhiteSpace(command) ? "?" : command;
        if (name.Length > ProcInfo.MaxNameLength) name = name[..ProcInfo.MaxNameLength];
        var clean = true;
        foreach (var c in name)
        {
            if (!char.IsControl(c) && c is not ('\u2028' or '\u2029')) continue;
            clean = false;
            break;
        }
        if (clean) return name;
        var text = new StringBuilder(name.Length);
        foreach (var c in name) text.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? '?' : c);
        return text.ToString();
    }
}
