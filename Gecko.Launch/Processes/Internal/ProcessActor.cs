using System.ComponentModel;
using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Gecko.Core.Routing;
using Gecko.Core.Wire;
using Gecko.Launch.LaunchFiles;
using static Gecko.Launch.Processes.ManagedProcess;

namespace Gecko.Launch.Processes.Internal;

internal sealed class ProcessActor : ReceiveActor, IWithTimers
{
    private sealed record ProcessEnded(Process Process, int ExitCode);
    private sealed class StartNow { public static readonly StartNow Instance = new(); }
    private sealed record Escalate(int Pid, int Step);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ProcessSpec _spec;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly IOutputSink _output;
    private readonly IActorRef? _router;
    private readonly IActorRef _observer;
    private readonly StreamWriter _logFile;
    private readonly Queue<DateTime> _restartTimes = new();
    private readonly List<IActorRef> _stopWaiters = [];
    private readonly HashSet<int> _tree = [];
    private Process? _process;
    private int _restarts;
    private bool _stopping;

    public ProcessActor(ProcessSpec spec, IReadOnlyDictionary<string, string> environment, string runDirectory,
        IOutputSink output, IActorRef? router, IActorRef observer)
    {
        _spec = spec;
        _environment = environment;
        _output = output;
        _router = router;
        _observer = observer;
        Directory.CreateDirectory(runDirectory);
        _logFile = new StreamWriter(Path.Combine(runDirectory, $"{Sanitized(spec.Name)}.log"), append: true) { AutoFlush = true };

        Receive<StartNow>(_ => Start());
        Receive<ProcessEnded>(HandleEnded);
        Receive<Stop>(_ => HandleStop());
        Receive<Escalate>(HandleEscalate);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Self.Tell(StartNow.Instance);

    protected override void PostStop()
    {
        // Whatever happened to this actor, its child must not outlive it.
        if (_process is { HasExited: false } process)
        {
            try { process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
        }
        _logFile.Dispose();
    }

    private void Start()
    {
        if (_stopping) return;
        // In a session (and process group) of its own, a terminal's Ctrl-C reaches only the launcher, which then
        // stops everything in order; without it every child would get SIGINT at once and die before its turn
        // (and a restart policy would start it again). setsid execs in place: the pid stays the program's.
        var start = new ProcessStartInfo(OwnSession ? SetSid : _spec.Command)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Nodes do not read the launcher's terminal; they see end of input.
            RedirectStandardInput = true,
            WorkingDirectory = _spec.WorkingDirectory ?? Environment.CurrentDirectory,
        };
        if (OwnSession) start.ArgumentList.Add(_spec.Command);
        foreach (var argument in _spec.Arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in _environment) start.Environment[key] = value;
        foreach (var (key, value) in _spec.Environment) start.Environment[key] = value;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var name = _spec.Name;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Write(name, e.Data, isError: false); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Write(name, e.Data, isError: true); };
        var self = Self;
        process.Exited += (_, _) => self.Tell(new ProcessEnded(process, SafeExitCode(process)));
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or FileNotFoundException)
        {
            var reason = $"cannot start '{_spec.Command}': {e.Message}";
            _output.Line(name, reason, isError: true);
            _observer.Tell(new FailedToStart(name, reason, _spec.Required));
            _stopping = true;
            ReplyStopped();
            return;
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _router?.Tell(new TopicRouter.RegisterProcess(new ProcInfo(process.Id, name, true)));
        _observer.Tell(new Started(name, process.Id, _restarts));
        _log.Info("Started {0} (pid {1})", name, process.Id);
    }

    private void Write(string name, string line, bool isError)
    {
        _output.Line(name, line, isError);
        lock (_logFile) _logFile.WriteLine(isError ? $"stderr: {line}" : line);
    }

    private void HandleEnded(ProcessEnded ended)
    {
        if (!ReferenceEquals(ended.Process, _process)) return;
        var pid = ended.Process.Id;
        // What it leaves behind goes too: while stopping, anything that outlived the signals (it ignored them);
        // otherwise what it started in the background, which would pile up over restarts. They also hold the
        // output pipe open, and its end is what the drain below waits for.
        if (OwnSession) Signals.Send(-pid, _stopping ? Signals.SigKill : Signals.SigTerm);
        if (_stopping)
        {
            foreach (var child in _tree) Signals.Send(child, Signals.SigKill);
            _tree.Clear();
        }
        // Drain the output it wrote just before exiting before anyone reads the log; bounded, as a descendant that
        // ignores SIGTERM (or one outside its group) may keep the pipe open.
        var process = ended.Process;
        Task.Run(() => process.WaitForExit()).Wait(DrainLimit);
        _router?.Tell(new TopicRouter.RegisterProcess(new ProcInfo(pid, _spec.Name, false)));
        process.Dispose();
        _process = null;

        if (_stopping)
        {
            ReplyStopped();
            return;
        }

        var failed = ended.ExitCode != 0;
        var wantsRestart = _spec.Restart == RestartPolicy.Always || (_spec.Restart == RestartPolicy.OnFailure && failed);
        var allowed = wantsRestart && WithinRestartLimit();
        _output.Line(_spec.Name, $"exited with code {ended.ExitCode}{(allowed ? $"; restarting in {_spec.RestartDelay.TotalSeconds:0.###} s" : "")}", isError: failed);
        _observer.Tell(new Exited(_spec.Name, pid, ended.ExitCode, allowed, _spec.Required));
        if (allowed)
        {
            _restarts++;
            _restartTimes.Enqueue(DateTime.UtcNow);
            Timers.StartSingleTimer("restart", StartNow.Instance, _spec.RestartDelay);
        }
        else if (wantsRestart)
        {
            _output.Line(_spec.Name, $"restart limit reached ({_spec.MaxRestarts} in {_spec.RestartWindow.TotalSeconds:0} s): giving up", isError: true);
            _observer.Tell(new GaveUp(_spec.Name, _restarts, _spec.RestartWindow));
        }
    }

    private bool WithinRestartLimit()
    {
        var now = DateTime.UtcNow;
        while (_restartTimes.Count > 0 && now - _restartTimes.Peek() > _spec.RestartWindow) _restartTimes.Dequeue();
        return _restartTimes.Count < _spec.MaxRestarts;
    }

    private void HandleStop()
    {
        _stopWaiters.Add(Sender);
        if (_stopping && _process is null)
        {
            ReplyStopped();
            return;
        }
        _stopping = true;
        Timers.Cancel("restart");
        if (_process is null)
        {
            ReplyStopped();
            return;
        }
        // SIGINT first, to the process and its descendants, as Ctrl-C in a terminal would: nodes run their
        // shutdown hooks and de-register.
        SignalTree(_process.Id, Signals.SigInt);
        Timers.StartSingleTimer("escalate", new Escalate(_process.Id, 1), _spec.SigintTimeout);
    }

    private void HandleEscalate(Escalate escalate)
    {
        if (_process is null || _process.Id != escalate.Pid || _process.HasExited) return;
        if (escalate.Step == 1)
        {
            _output.Line(_spec.Name, $"still running {_spec.SigintTimeout.TotalSeconds:0.#} s after SIGINT: sending SIGTERM", isError: true);
            SignalTree(escalate.Pid, Signals.SigTerm);
            Timers.StartSingleTimer("escalate", new Escalate(escalate.Pid, 2), _spec.SigtermTimeout);
            return;
        }
        _output.Line(_spec.Name, $"still running {_spec.SigtermTimeout.TotalSeconds:0.#} s after SIGTERM: killing it", isError: true);
        SignalTree(escalate.Pid, Signals.SigKill);
    }

    private void SignalTree(int pid, int signal)
    {
        // Remember every descendant seen: once the root is gone they are re-parented and could not be found again.
        _tree.UnionWith(ProcessTree.Descendants(pid));
        Signals.Send(pid, signal);
        // Its process group too: it catches descendants that were already re-parented (a double fork).
        if (OwnSession) Signals.Send(-pid, signal);
        foreach (var child in _tree) Signals.Send(child, signal);
    }

    private void ReplyStopped()
    {
        foreach (var waiter in _stopWaiters) waiter.Tell(new Stopped(_spec.Name));
        _stopWaiters.Clear();
    }

    private const string SetSid = "/usr/bin/setsid";
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(2);

    private static bool OwnSession { get; } = OperatingSystem.IsLinux() && File.Exists(SetSid);

    private static int SafeExitCode(Process process)
    {
        try { return process.ExitCode; }
        catch (InvalidOperationException) { return -1; }
    }

    private static string Sanitized(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
