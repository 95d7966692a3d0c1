using System.Threading.Channels;
using Akka.Actor;
using Gecko.Actors.Nodes;
using Gecko.Core;
using Gecko.Core.Cluster;
using Gecko.Core.Hub;
using Gecko.Core.Routing;
using Gecko.Launch.Cli;
using Gecko.Launch.Dashboard;
using Gecko.Launch.Hosting;
using Gecko.Launch.LaunchFiles;
using Gecko.Launch.Placement;
using Gecko.Launch.Processes;

namespace Gecko.Launch.Launching;

/// <summary>
/// Runs a <see cref="LaunchPlan"/>: the hub, the in-process nodes, the supervised processes and the dashboard, until
/// the token fires or a required process ends; then stops nodes, then processes, then the hub.
/// </summary>
public sealed class Launcher
{
    /// <summary>Exit code when a required process ended the launch.</summary>
    public const int RequiredProcessEnded = 3;

    /// <summary>Exit code when the hub could not start.</summary>
    public const int HubFailed = 1;

    private readonly LaunchPlan _plan;
    private readonly Func<DashboardHeader, IDashboard> _dashboardFactory;
    private readonly string _runDirectory;

    /// <summary>Prepares to run <paramref name="plan"/>.</summary>
    /// <param name="plan">What to run.</param>
    /// <param name="dashboardFactory">Makes the dashboard once the hub's addresses are known.</param>
    /// <param name="runDirectory">Where per-process log files go.</param>
    public Launcher(LaunchPlan plan, Func<DashboardHeader, IDashboard> dashboardFactory, string runDirectory)
    {
        _plan = plan;
        _dashboardFactory = dashboardFactory;
        _runDirectory = runDirectory;
    }

    /// <summary>Runs until <paramref name="token"/> fires or a required process ends; returns the exit code.</summary>
    public async Task<int> RunAsync(TextWriter error, CancellationToken token)
    {
        var settings = CoreSettings.Create(_plan.Config);
        var cluster = ClusterSettings.Create(_plan.Config);
        var system = GeckoActorSystem.Create(_plan.Config, cluster);
        try
        {
            // Listening before the hub starts: the cluster's first events (this host up) come as it joins.
            var events = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
            var observer = system.ActorOf(Props.Create(() => new EventForwarder(events.Writer)), "launch-events");
            system.EventStream.Subscribe(observer, typeof(TopicRouter.CurrentStats));
            system.EventStream.Subscribe(observer, typeof(ClusterRouting.MembershipChanged));
            GeckoHub hub;
            try
            {
                hub = await GeckoHub.StartAsync(system, settings);
            }
            catch (GeckoBindException e)
            {
                await error.WriteLineAsync($"gecko launch: {e.Message}");
                return HubFailed;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The core file could not be written (its folder is gone or not writable).
                await error.WriteLineAsync($"gecko launch: the hub could not start: {e.Message}");
                return HubFailed;
            }
            await using (hub)
            {
                var title = $"gecko launch {Path.GetFileName(_plan.SourcePath)}";
                await using var dashboard = _dashboardFactory(new DashboardHeader(title, hub.InAddress, hub.OutAddress)
                {
                    ClusterPort = hub.ClusterActor is null ? null : Akka.Cluster.Cluster.Get(system).SelfAddress.Port,
                });
                if (hub.ClusterActor is not null)
                    dashboard.Event($"cluster: this host is {Akka.Cluster.Cluster.Get(system).SelfAddress}; {(cluster.Tls.Enabled ? $"TLS, {cluster.Tls.Description}" : "no TLS")}; nodes with a role are placed on the hosts that have it");
                return await RunWithHubAsync(system, hub, dashboard, events, observer, token);
            }
        }
        finally
        {
            await system.Terminate();
        }
    }

    private async Task<int> RunWithHubAsync(ActorSystem system, GeckoHub hub, IDashboard dashboard, Channel<object> events, IActorRef observer,
        CancellationToken token)
    {
        var nodes = DeployNodes(system, observer);
        var processes = SpawnProcesses(system, hub, dashboard, observer);
        dashboard.Event($"{nodes.Count} node(s) and {processes.Count} process(es) started; logs in {_runDirectory}; Ctrl-C stops everything");

        var exitCode = 0;
        try
        {
            await foreach (var message in events.Reader.ReadAllAsync(token))
            {
                switch (message)
                {
                    case TopicRouter.CurrentStats stats:
                        dashboard.Show(stats.Stats);
                        break;
                    case ManagedProcess.Started started when started.Restarts > 0:
                        dashboard.Event($"{started.Name} restarted (pid {started.Pid}, restart {started.Restarts})");
                        break;
                    case ManagedProcess.GaveUp gaveUp:
                        dashboard.Event($"{gaveUp.Name} keeps failing: restart limit reached, it stays down");
                        break;
                    case ManagedProcess.Exited { Required: true, WillRestart: false } exited:
                        dashboard.Event($"required process {exited.Name} exited with code {exited.ExitCode}: stopping everything");
                        exitCode = RequiredProcessEnded;
                        break;
                    case ClusterRouting.MembershipChanged { Change: MembershipChange.Rejoined, IsSelf: true } rejoined:
                        dashboard.Event(rejoined.Text);
                        PlaceAgain(hub, nodes, events.Writer);
                        break;
                    case ClusterRouting.MembershipChanged changed:
                        dashboard.Event(changed.Text);
                        break;
                    case Core.Cluster.Placement.NodePlaced placed:
                        dashboard.Event($"{placed.Name} placed on {placed.Host} (pid {placed.Pid}, {placed.Instances} instance{(placed.Instances == 1 ? "" : "s")})");
                        break;
                    case Core.Cluster.Placement.PlacementFailed failed:
                        dashboard.Event($"{failed.Name} cannot run on {failed.Host}: {failed.Reason}");
                        break;
                    case ManagedProcess.FailedToStart failed:
                        dashboard.Event($"{failed.Name}: {failed.Reason}");
                        if (failed.Required) exitCode = RequiredProcessEnded;
                        break;
                }
                if (exitCode != 0) break;
            }
        }
        catch (OperationCanceledException)
        {
            dashboard.Event("stopping");
        }

        await StopAsync(nodes, processes, dashboard);
        system.EventStream.Unsubscribe(observer);
        return exitCode;
    }

    private List<IActorRef> DeployNodes(ActorSystem system, IActorRef observer)
    {
        var supervisors = new List<IActorRef>();
        foreach (var node in _plan.Nodes)
        {
            if (node.Role is not null)
            {
                // On every host with the role, wherever it is (this one too, if it has the role).
                supervisors.Add(NodePlacer.Place(system, node, observer));
                continue;
            }
            for (var i = 1; i <= node.Count; i++)
            {
                var name = node.Count == 1 || i == 1 ? node.Name : $"{node.Name}-{i}";
                supervisors.Add(NodeHost.Deploy(system, system, node.Type, name, new NodeArguments(node.Arguments)));
            }
        }
        return supervisors;
    }

    /// <summary>
    /// This host was removed from the cluster and joined again under a new identity (<c>gecko.cluster.rejoin</c>): what it
    /// had placed by role on the others stopped with the old identity, so its role nodes are placed again from the new
    /// one (whose placement reports come to the same dashboard).
    /// </summary>
    private void PlaceAgain(GeckoHub hub, List<IActorRef> nodes, ChannelWriter<object> events)
    {
        if (hub.ClusterSystem is not { } system || !_plan.Nodes.Any(n => n.Role is not null)) return;
        var observer = system.ActorOf(Props.Create(() => new EventForwarder(events)), $"launch-events-{Guid.NewGuid():N}");
        foreach (var node in _plan.Nodes.Where(n => n.Role is not null))
        {
            var pool = NodePlacer.PoolName(node.Name);
            var old = nodes.FindIndex(n => n.Path.Name == pool);
            if (old >= 0)
            {
                nodes[old].Tell(PoisonPill.Instance);
                nodes.RemoveAt(old);
            }
            nodes.Add(NodePlacer.Place(system, node, observer));
        }
    }

    private List<(ProcessSpec Spec, IActorRef Actor)> SpawnProcesses(ActorSystem system, GeckoHub hub, IDashboard dashboard, IActorRef observer)
    {
        var environment = new Dictionary<string, string>
        {
            ["GECKO_CORE_IN"] = hub.InAddress,
            ["GECKO_CORE_OUT"] = hub.OutAddress,
            ["GECKO_CORE_KEY"] = hub.Settings.Key,
        };
        // A hub speaking CURVE: its processes are told its public key (their own key pair is theirs to name, through
        // GECKO_CURVE_SECRET_KEY_FILE in their environment block).
        if (hub.Settings.Curve.Enabled)
            environment[Core.Bridge.Security.CurveClientKeys.ServerKeyVariable] =
                NetMQ.NetMQCertificate.FromPublicKey(Core.Bridge.Security.CurveKeyFiles.ReadPublic(hub.Settings.Curve.ServerSecretKeyFile)).PublicKeyZ85;
        var output = new DashboardOutputSink(dashboard);
        var launchFolder = Path.GetDirectoryName(Path.GetFullPath(_plan.SourcePath))!;
        var placeholders = new Dictionary<string, string>
        {
            ["{hub-in}"] = hub.InAddress,
            ["{hub-out}"] = hub.OutAddress,
            ["{hub-key}"] = hub.Settings.Key,
            ["{run-dir}"] = _runDirectory,
        };
        var spawned = new List<(ProcessSpec, IActorRef)>();
        foreach (var spec in _plan.Processes)
        {
            var resolved = Resolve(spec, launchFolder, placeholders);
            var actor = system.ActorOf(ManagedProcess.Props(resolved, environment, _runDirectory, output, hub.Router, observer), $"process-{Guid.NewGuid():N}");
            spawned.Add((resolved, actor));
        }
        return spawned;
    }

    /// <summary>
    /// Turns the launch file's <c>gecko</c> command into this program, relative folders into the launch file's, and
    /// the placeholders in arguments (<c>{hub-in}</c>, <c>{hub-out}</c>, <c>{hub-key}</c>, <c>{run-dir}</c>) into
    /// what they stand for now that the hub is bound. Arguments stay an array: nothing goes through a shell.
    /// </summary>
    private static ProcessSpec Resolve(ProcessSpec spec, string launchFolder, IReadOnlyDictionary<string, string> placeholders)
    {
        var workingDirectory = spec.WorkingDirectory is null ? launchFolder : Path.GetFullPath(spec.WorkingDirectory, launchFolder);
        var arguments = spec.Arguments.Select(argument => Substitute(argument, placeholders)).ToList();
        if (spec.Command != GeckoExecutable.CommandName) return spec with { Arguments = arguments, WorkingDirectory = workingDirectory };
        var (program, prefix) = GeckoExecutable.Resolve();
        return spec with { Command = program, Arguments = [.. prefix, .. arguments], WorkingDirectory = workingDirectory };
    }

    private static string Substitute(string argument, IReadOnlyDictionary<string, string> placeholders)
    {
        if (!argument.Contains('{')) return argument;
        foreach (var (placeholder, value) in placeholders) argument = argument.Replace(placeholder, value, StringComparison.Ordinal);
        return argument;
    }

    private static async Task StopAsync(List<IActorRef> nodes, List<(ProcessSpec Spec, IActorRef Actor)> processes, IDashboard dashboard)
    {
        // Nodes first: they may still want to publish a last message through processes' subscriptions.
        await Task.WhenAll(nodes.Select(async node =>
        {
            try { await node.GracefulStop(TimeSpan.FromSeconds(5)); }
            catch (TaskCanceledException) { }
        }));
        // Then every process at once, each with its own SIGINT → SIGTERM → SIGKILL schedule.
        await Task.WhenAll(processes.Select(async p =>
        {
            var limit = p.Spec.SigintTimeout + p.Spec.SigtermTimeout + TimeSpan.FromSeconds(5);
            try
            {
                await p.Actor.Ask<ManagedProcess.Stopped>(ManagedProcess.Stop.Instance, limit);
            }
            catch (AskTimeoutException)
            {
                dashboard.Event($"{p.Spec.Name} did not confirm its stop within {limit.TotalSeconds:0} s; it is killed with the launcher");
            }
            await p.Actor.GracefulStop(TimeSpan.FromSeconds(5));
        }));
    }

    private sealed class EventForwarder : ReceiveActor
    {
        public EventForwarder(ChannelWriter<object> writer) => ReceiveAny(message => writer.TryWrite(message));
    }

    private sealed class DashboardOutputSink(IDashboard dashboard) : IOutputSink
    {
        public void Line(string process, string line, bool isError) => dashboard.ProcessLine(process, line, isError);
    }
}
