using System.CommandLine;
using System.Globalization;
using Gecko.Launch.Dashboard;
using Gecko.Launch.Launching;
using Gecko.Launch.LaunchFiles;

namespace Gecko.Launch.Cli;

/// <summary><c>gecko launch FILE</c>: checks a launch file, then runs the hub, its nodes and processes with the dashboard.</summary>
public static class LaunchCommand
{
    /// <summary>Exit code when the launch file (or an argument) is refused: nothing was started.</summary>
    public const int Refused = 2;

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The launch file: HOCON (e.g. hocon/demo.conf) or pygecko JSON (a .json file)." };
        var plain = new Option<bool>("--plain") { Description = "Plain-text reports even on a terminal (they are plain whenever output is redirected)." };
        var runDirectory = new Option<string?>("--run-dir") { Description = "Where the per-process log files go (default: a fresh folder under the temp directory)." };
        var check = new Option<bool>("--check") { Description = "Check the launch file and show what it would start, then exit without starting anything." };
        var set = new Option<string[]>("--set")
        {
            Description = "Override a launch-file key, e.g. --set gecko.core.stats-interval=1s or --set gecko.processes.camera.restart=always (repeatable).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var inOption = new Option<string?>("--in") { Description = "The hub's in endpoint (same as --set gecko.core.in-address=...)." };
        var outOption = new Option<string?>("--out") { Description = "The hub's out endpoint (same as --set gecko.core.out-address=...)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No periodic reports: only process output and launcher events." };
        var cluster = new ClusterFlags.Options();
        var command = new Command("launch", """
            Start a robot from a launch file: the hub, in-process nodes and supervised OS processes, with a live dashboard.
            The file is checked first; a bad one is refused with file:line and what is wrong, and nothing starts.
            Ctrl-C or SIGTERM stops nodes, then processes (SIGINT, SIGTERM, SIGKILL), then the hub.

            Examples:
              gecko launch hocon/demo.conf
              gecko launch hocon/demo.conf --plain --run-dir /tmp/demo-logs
              gecko launch examples/pygecko/launch.json
              gecko launch my-robot.conf --check
              gecko launch laptop.conf --cluster-seed 192.168.1.10:4053 --cluster-host 192.168.1.20
            """)
        {
            file, plain, runDirectory, check, set, inOption, outOption, quiet,
        };
        cluster.AddTo(command);
        command.SetAction((parse, token) => RunAsync(
            new Options(parse.GetValue(file)!, parse.GetValue(plain), parse.GetValue(runDirectory), parse.GetValue(check),
                parse.GetValue(set) ?? [], parse.GetValue(inOption), parse.GetValue(outOption), parse.GetValue(quiet))
            {
                Cluster = cluster.Read(parse),
            },
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, token));
        return command;
    }

    /// <summary>What <c>gecko launch</c> was asked for.</summary>
    /// <param name="File">The launch file.</param>
    /// <param name="Plain">Plain-text reports even on a terminal.</param>
    /// <param name="RunDirectory">Where per-process logs go, or null for the configured default.</param>
    /// <param name="Check">Only check the file.</param>
    /// <param name="Overrides"><c>KEY=VALUE</c> overrides.</param>
    /// <param name="In">The hub's in endpoint, if given.</param>
    /// <param name="Out">The hub's out endpoint, if given.</param>
    /// <param name="Quiet">No periodic reports.</param>
    public sealed record Options(string File, bool Plain, string? RunDirectory, bool Check, IReadOnlyList<string> Overrides,
        string? In, string? Out, bool Quiet)
    {
        /// <summary>The cluster flags (applied as overrides of <c>gecko.cluster</c>).</summary>
        public ClusterFlags Cluster { get; init; } = ClusterFlags.None;
    }

    /// <summary>Checks the launch file and runs it until <paramref name="token"/> fires or a required process ends; returns the exit code.</summary>
    public static async Task<int> RunAsync(Options options, TextWriter output, TextWriter error, CancellationToken token)
    {
        var overrides = options.Overrides.ToList();
        if (options.In is not null) overrides.Add($"gecko.core.in-address={options.In}");
        if (options.Out is not null) overrides.Add($"gecko.core.out-address={options.Out}");
        try
        {
            overrides.AddRange(options.Cluster.Overrides());
        }
        catch (Core.GeckoConfigurationException e)
        {
            await error.WriteLineAsync($"gecko launch: {e.Message}");
            return Refused;
        }

        LaunchPlan plan;
        try
        {
            plan = LaunchFile.Load(options.File, overrides);
        }
        catch (LaunchFileException e)
        {
            foreach (var problem in e.Errors) await error.WriteLineAsync(problem.ToString());
            await error.WriteLineAsync($"gecko launch: {options.File} refused ({Count(e.Errors.Count, "problem")}); nothing was started.");
            return Refused;
        }

        // Ctrl-C while the file was read (a node's project can take a while to build): start nothing.
        if (token.IsCancellationRequested) return 0;

        if (options.Check)
        {
            await output.WriteAsync(Describe(plan));
            await output.WriteLineAsync($"{options.File}: OK");
            return 0;
        }

        var runDirectory = options.RunDirectory is { Length: > 0 } given
            ? Path.GetFullPath(given)
            : LaunchSettings.Create(plan.Config).RunDirectoryFor(options.File, DateTime.Now);
        var launcher = new Launcher(plan, header => DashboardFactory.Create(header, output, options.Quiet, plain: options.Plain), runDirectory);
        return await launcher.RunAsync(error, token);
    }

    /// <summary>What a plan starts, for <c>--check</c>.</summary>
    public static string Describe(LaunchPlan plan)
    {
        var c = CultureInfo.InvariantCulture;
        var core = Core.Hub.CoreSettings.Create(plan.Config);
        var text = new System.Text.StringBuilder();
        text.Append(c, $"hub: in {core.InAddress}  out {core.OutAddress}  key {core.Key}  report every {core.StatsInterval.TotalSeconds:0.###} s\n");
        var cluster = Core.Cluster.ClusterSettings.Create(plan.Config);
        if (cluster.Enabled)
            text.Append(c, $"cluster: {cluster.Hostname}:{cluster.Port}{(cluster.Roles.Count > 0 ? $" roles {string.Join(", ", cluster.Roles)}" : "")}; {(cluster.SeedNodes.Count == 0 ? "starts the cluster" : $"joins through {string.Join(", ", cluster.JoinAddresses)}")}{(cluster.Tls.Enabled ? $"; TLS, {cluster.Tls.Description}" : "; no TLS")}\n");
        text.Append(c, $"nodes ({plan.Nodes.Count}):\n");
        foreach (var node in plan.Nodes)
        {
            var arguments = string.Join(", ", node.Arguments.Select(a => $"{a.Key}={a.Value}"));
            text.Append(c, $"  {node.Name}: {node.Type.FullName}{(node.Count > 1 ? $" x{node.Count}" : "")}{(arguments.Length > 0 ? $" ({arguments})" : "")}{(node.Role is null ? "" : $" role {node.Role}")}\n");
        }
        text.Append(c, $"processes ({plan.Processes.Count}):\n");
        foreach (var process in plan.Processes)
        {
            var restart = process.Restart == RestartPolicy.Never
                ? "never restarted"
                : $"restart {(process.Restart == RestartPolicy.Always ? "always" : "on failure")} after {process.RestartDelay.TotalSeconds:0.###} s, at most {process.MaxRestarts} in {process.RestartWindow.TotalSeconds:0.###} s";
            text.Append(c, $"  {process.Name}: {process.Command} {string.Join(' ', process.Arguments.Select(Quoted))}\n");
            text.Append(c, $"    in {process.WorkingDirectory}; {restart}{(process.Required ? "; required" : "")}\n");
        }
        return text.ToString();
    }

    private static string Quoted(string argument) =>
        argument.Length == 0 || argument.Any(ch => char.IsWhiteSpace(ch) || ch is '"' or '\'' or '\\' or '$' or '{' or '}')
            ? $"'{argument.Replace("'", "'\\''")}'"
            : argument;

    private static string Count(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";
}
