using Akka.Actor;
using Gecko.Launch.LaunchFiles;
using Gecko.Launch.Processes.Internal;

namespace Gecko.Launch.Processes;

/// <summary>
/// The protocol of a supervised OS process: an actor per process spawns it (no shell), prefixes and logs its
/// output, registers it with the hub, restarts it by its policy and stops it with SIGINT, SIGTERM, then SIGKILL.
/// </summary>
public static class ManagedProcess
{
    /// <summary>Props for the actor supervising <paramref name="spec"/>.</summary>
    /// <param name="spec">What to run.</param>
    /// <param name="environment">Variables every process gets (e.g. where the hub is), under the spec's own.</param>
    /// <param name="runDirectory">Where the per-process log file goes.</param>
    /// <param name="output">Where prefixed output lines go.</param>
    /// <param name="router">The hub's router, told of each pid (core_info style); null for none.</param>
    /// <param name="observer">Told of <see cref="Started"/>, <see cref="Exited"/>, <see cref="GaveUp"/>.</param>
    public static Props Props(ProcessSpec spec, IReadOnlyDictionary<string, string> environment, string runDirectory,
        IOutputSink output, IActorRef? router, IActorRef observer) =>
        Akka.Actor.Props.Create(() => new ProcessActor(spec, environment, runDirectory, output, router, observer));

    /// <summary>Stops the process (SIGINT, SIGTERM, SIGKILL after the timeouts) and no longer restarts it; answered with <see cref="Stopped"/>.</summary>
    public sealed class Stop
    {
        /// <summary>The only instance.</summary>
        public static readonly Stop Instance = new();
        private Stop() { }
    }

    /// <summary>The process is gone and will not be restarted.</summary>
    public sealed record Stopped(string Name);

    /// <summary>The process started (first time or restart).</summary>
    public sealed record Started(string Name, int Pid, int Restarts);

    /// <summary>The process exited on its own (not asked to stop).</summary>
    /// <param name="Name">The process.</param>
    /// <param name="Pid">Its pid.</param>
    /// <param name="ExitCode">Its exit code (128 + N when a signal N killed it).</param>
    /// <param name="WillRestart">Whether it will be started again after the delay.</param>
    /// <param name="Required">Whether it is a required process (its end stops the launch).</param>
    public sealed record Exited(string Name, int Pid, int ExitCode, bool WillRestart, bool Required);

    /// <summary>The restart limit was reached; the process stays down.</summary>
    public sealed record GaveUp(string Name, int Restarts, TimeSpan Window);

    /// <summary>The process could not be started at all (no such program, not executable).</summary>
    public sealed record FailedToStart(string Name, string Reason, bool Required);
}
