using Akka.Actor;
using Gecko.Core.Monitoring.Internal;
using Gecko.Core.Wire;

namespace Gecko.Core.Monitoring;

/// <summary>
/// The process monitor's protocol: psutil's job done by reading <c>/proc</c>. Processes are registered (from
/// <c>core_info</c> messages and by the launcher) and sampled every interval — CPU %, memory %, resident memory,
/// threads — until they end; the hub's own process is sampled too, with its listening and established TCP sockets.
/// A registration can come from the network, so it is checked before anything is read: see
/// <see cref="RegistrationRejected"/>.
/// </summary>
public static class ProcMonitor
{
    /// <summary>Props for a monitor sampling every <paramref name="interval"/> and sending each <see cref="UsageSampled"/> to <paramref name="reportTo"/>.</summary>
    /// <param name="settings">Proc root, same-user policy and table size.</param>
    /// <param name="interval">The sampling interval (the settings' own, or the hub's stats interval).</param>
    /// <param name="reportTo">Who gets every sample (the router); nobody when null.</param>
    public static Props Props(MonitorSettings settings, TimeSpan interval, IActorRef? reportTo = null) =>
        Props(settings, interval, reportTo, TimeProvider.System, Environment.ProcessId, null);

    /// <summary>Props with the clock, the process taken as the hub's own and the probe's clock-tick rate given (tests on fixture files).</summary>
    internal static Props Props(MonitorSettings settings, TimeSpan interval, IActorRef? reportTo, TimeProvider clock, int selfPid, long? clockTicksPerSecond)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validated();
        IProcessProbe probe = OperatingSystem.IsLinux() || Directory.Exists(Path.Combine(settings.ProcRoot, selfPid.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            ? new ProcFileSystem(settings.ProcRoot, clockTicksPerSecond ?? ProcFileSystem.SystemClockTicksPerSecond())
            : PortableProcessProbe.Instance;
        return Akka.Actor.Props.Create(() => new ProcMonitorActor(settings, interval, reportTo, probe, clock, selfPid));
    }

    /// <summary>
    /// Registers <see cref="ProcInfo.Pid"/> under its name when <see cref="ProcInfo.Alive"/>, removes it otherwise.
    /// Nothing is answered; a refused registration is published on the event stream as <see cref="RegistrationRejected"/>.
    /// </summary>
    public sealed record Register(ProcInfo Info)
    {
        /// <summary>The registration, not null.</summary>
        public ProcInfo Info { get; } = Info ?? throw new ArgumentNullException(nameof(Info));
    }

    /// <summary>
    /// A registration was refused and nothing of that process is read again: pid 1 (unless it is the hub), a pid that
    /// names no live process, a zombie or a kernel thread, another user's process while <see cref="MonitorSettings.SameUserOnly"/>,
    /// or a full table. Published on the event stream.
    /// </summary>
    /// <param name="Info">The registration as received.</param>
    /// <param name="Reason">Why it was refused.</param>
    public sealed record RegistrationRejected(ProcInfo Info, string Reason);

    /// <summary>Asks for the latest sample, answered at once with <see cref="CurrentUsage"/>.</summary>
    public sealed class GetUsage
    {
        /// <summary>The only instance.</summary>
        public static readonly GetUsage Instance = new();
        private GetUsage() { }
    }

    /// <summary>Asks for a fresh sample, taken after every registration received before it is checked; answered with <see cref="CurrentUsage"/>.</summary>
    public sealed class SampleNow
    {
        /// <summary>The only instance.</summary>
        public static readonly SampleNow Instance = new();
        private SampleNow() { }
    }

    /// <summary>The answer to <see cref="GetUsage"/> and <see cref="SampleNow"/>.</summary>
    public sealed record CurrentUsage(MonitorReport Report);

    /// <summary>A sample was taken; sent to the monitor's report target after every sample.</summary>
    public sealed record UsageSampled(MonitorReport Report);
}
