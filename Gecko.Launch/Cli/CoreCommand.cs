using System.CommandLine;
using System.Threading.Channels;
using Akka.Actor;
using Gecko.Core;
using Gecko.Core.Cluster;
using Gecko.Core.Hub;
using Gecko.Core.Routing;
using Gecko.Core.Wire;
using Gecko.Launch.Dashboard;
using Gecko.Launch.Hosting;

namespace Gecko.Launch.Cli;

/// <summary><c>gecko core</c>: runs the hub and prints its report every interval.</summary>
public static class CoreCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var inOption = new Option<string?>("--in") { Description = "Endpoint publishers connect to (default tcp://127.0.0.1:9998)." };
        var outOption = new Option<string?>("--out") { Description = "Endpoint subscribers connect to (default tcp://127.0.0.1:9999)." };
        var interval = new Option<double?>("--interval") { Description = "Seconds between reports (default 3)." };
        var key = new Option<string?>("--key") { Description = "Name to answer beacon look-ups for (default: host name)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the start and stop lines, no reports." };
        var cluster = new ClusterFlags.Options();
        var curveKey = new Option<string?>("--curve-secret-key") { Description = "Speak CURVE only, with this secret key file (from gecko keys generate)." };
        var curveAllow = new Option<string[]>("--curve-allow")
        {
            Description = "A client allowed in with --curve-secret-key: its public key, .key file, or a folder of .key files (repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };
        var curveAnyClient = new Option<bool>("--curve-allow-any") { Description = "With --curve-secret-key: accept any client key (encryption without authentication)." };
        var command = new Command("core", """
            Run GeckoCore, the hub: route topics between nodes and report, every interval, what each topic carries.

            Examples:
              gecko core
              gecko core --in tcp://0.0.0.0:9998 --out tcp://0.0.0.0:9999 --interval 1
              gecko core --cluster --cluster-host 192.168.1.10 --role pi                    # a robot that starts a cluster
              gecko core --cluster-seed 192.168.1.10:4053 --cluster-host 192.168.1.20       # a laptop that joins it
              gecko core --in tcp://0.0.0.0:9998 --out tcp://0.0.0.0:9999 --curve-secret-key keys/hub.key_secret --curve-allow keys/nodes
            """)
        {
            inOption, outOption, interval, key, quiet, curveKey, curveAllow, curveAnyClient,
        };
        cluster.AddTo(command);
        command.SetAction((parse, token) => RunAsync(new Options(
            parse.GetValue(inOption), parse.GetValue(outOption), parse.GetValue(interval), parse.GetValue(key), parse.GetValue(quiet))
            {
                Cluster = cluster.Read(parse),
                CurveSecretKey = parse.GetValue(curveKey),
                CurveAllow = parse.GetValue(curveAllow) ?? [],
                CurveAllowAny = parse.GetValue(curveAnyClient),
            },
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, token));
        return command;
    }

    /// <summary>What <c>gecko core</c> was asked for.</summary>
    public sealed record Options(string? In, string? Out, double? IntervalSeconds, string? Key, bool Quiet)
    {
        /// <summary>The cluster flags.</summary>
        public ClusterFlags Cluster { get; init; } = ClusterFlags.None;

        /// <summary>The secret key file that turns CURVE on; null for plaintext.</summary>
        public string? CurveSecretKey { get; init; }

        /// <summary>Client keys, key files or folders allowed in.</summary>
        public IReadOnlyList<string> CurveAllow { get; init; } = [];

        /// <summary>Accept any client key.</summary>
        public bool CurveAllowAny { get; init; }
    }

    /// <summary>Runs the hub until <paramref name="token"/> fires; returns the exit code.</summary>
    public static async Task<int> RunAsync(Options options, TextWriter output, TextWriter error, CancellationToken token)
    {
        // Before the first socket: the hub's socket completions run on .NET's event thread (see SocketCompletions).
        SocketCompletions.RunInline();
        CoreSettings settings;
        ClusterSettings cluster;
        try
        {
            settings = Settings(options);
            cluster = options.Cluster.ApplyTo(ClusterSettings.Default);
        }
        catch (GeckoException e)
        {
            await error.WriteLineAsync($"gecko core: {e.Message}");
            return 2;
        }

        ActorSystem system;
        try
        {
            system = GeckoActorSystem.Create(cluster: cluster);
        }
        catch (Exception e) when (cluster.Enabled)
        {
            // Akka.Remote could not bind its endpoint (typically: the port is taken).
            await error.WriteLineAsync($"gecko core: cannot listen for other cluster hosts on {cluster.Hostname}:{cluster.Port}: {e.GetBaseException().Message} (another gecko using the port? pick one with --cluster-port, or 0)");
            return 1;
        }
        try
        {
            // Listening before the hub starts: the cluster's first events (this host up) come as it joins.
            var reports = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
            var listener = system.ActorOf(Props.Create(() => new StatsListener(reports.Writer)), "stats-listener");
            system.EventStream.Subscribe(listener, typeof(TopicRouter.CurrentStats));
            system.EventStream.Subscribe(listener, typeof(ClusterRouting.MembershipChanged));
            GeckoHub hub;
            try
            {
                hub = await GeckoHub.StartAsync(system, settings, cluster: cluster);
            }
            catch (GeckoBindException e)
            {
                await error.WriteLineAsync($"gecko core: {e.Message}");
                return 1;
            }
            catch (GeckoConfigurationException e)
            {
                // A key file named in the settings is missing or not valid: found only when the hub reads it.
                await error.WriteLineAsync($"gecko core: {e.Message}");
                return 2;
            }

            await using (hub)
            {
                var reach = Endpoint.IsNetworkFacing(hub.InAddress) || Endpoint.IsNetworkFacing(hub.OutAddress)
                    ? "listening on the network" : "loopback only";
                if (settings.Curve.Enabled)
                    reach += settings.Curve.AllowAnyClient && settings.Curve.AllowedClients.Count == 0 ? ", CURVE: any client key" : ", CURVE: allowed keys only";
                await output.WriteLineAsync($"GeckoCore started: in {hub.InAddress}  out {hub.OutAddress}  key {settings.Key}  ({reach}; beacon {(hub.Beacon is { } beacon ? "on " + string.Join(", ", beacon.Interfaces) : "off")}; pid {Environment.ProcessId})");
                if (hub.ClusterActor is not null)
                    await output.WriteLineAsync($"cluster: this host is {Akka.Cluster.Cluster.Get(system).SelfAddress}{(cluster.Roles.Count > 0 ? $" (roles {string.Join(", ", cluster.Roles)})" : "")}; "
                        + (cluster.SeedNodes.Count == 0 ? "it starts the cluster: other hosts join with --cluster-seed HOST:PORT" : $"joining through {string.Join(", ", cluster.JoinAddresses)}")
                        + (cluster.Tls.Enabled ? $"; TLS, {cluster.Tls.Description}" : "; no TLS"));
                await output.FlushAsync(CancellationToken.None);
                await using (var dashboard = DashboardFactory.Create(new DashboardHeader($"GeckoCore [{Environment.ProcessId}]", hub.InAddress, hub.OutAddress)
                    {
                        ClusterPort = hub.ClusterActor is null ? null : Akka.Cluster.Cluster.Get(system).SelfAddress.Port,
                    }, output, options.Quiet))
                {
                    try
                    {
                        await foreach (var report in reports.Reader.ReadAllAsync(token))
                        {
                            if (report is HubStats stats) dashboard.Show(stats);
                            else if (report is ClusterRouting.MembershipChanged changed) dashboard.Event(changed.Text);
                        }
                    }
                    catch (OperationCanceledException) { }
                }
                system.EventStream.Unsubscribe(listener);
            }
            await output.WriteLineAsync("GeckoCore stopped.");
            return 0;
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>The defaults with the flags on top; every value is checked before the hub starts.</summary>
    private static CoreSettings Settings(Options options)
    {
        // Flags are applied as values, never pasted into HOCON text: a quote or brace in a flag must give a clear
        // error, not a parser's stack trace.
        if (options.In is not null) Endpoint.Validate(options.In, "--in");
        if (options.Out is not null) Endpoint.Validate(options.Out, "--out");
        if (options.IntervalSeconds is { } seconds && !(seconds is >= 0.1 and <= 3600))
            throw new GeckoConfigurationException($"--interval {seconds} is out of range: give seconds between 0.1 and 3600, e.g. --interval 1.");
        if (options.Key is { } key && (string.IsNullOrWhiteSpace(key) || key.Any(char.IsControl)))
            throw new GeckoConfigurationException("--key is blank or has control characters: give a plain name such as --key robot1.");
        if (options.CurveSecretKey is null && (options.CurveAllow.Count > 0 || options.CurveAllowAny))
            throw new GeckoConfigurationException("--curve-allow and --curve-allow-any need --curve-secret-key FILE (make one with: gecko keys generate --name hub).");

        var defaults = CoreSettings.Default;
        return (defaults with
        {
            InAddress = options.In ?? defaults.InAddress,
            OutAddress = options.Out ?? defaults.OutAddress,
            Key = options.Key?.Trim() ?? defaults.Key,
            StatsInterval = options.IntervalSeconds is { } s ? TimeSpan.FromSeconds(s) : defaults.StatsInterval,
            Curve = options.CurveSecretKey is null ? defaults.Curve : (defaults.Curve with
            {
                Enabled = true,
                ServerSecretKeyFile = options.CurveSecretKey,
                AllowedClients = options.CurveAllow,
                AllowAnyClient = options.CurveAllowAny,
            }).Validated(),
        }).Validated();
    }

    private sealed class StatsListener : ReceiveActor
    {
        public StatsListener(ChannelWriter<object> writer)
        {
            Receive<TopicRouter.CurrentStats>(s => writer.TryWrite(s.Stats));
            Receive<ClusterRouting.MembershipChanged>(c => writer.TryWrite(c));
        }
    }
}
