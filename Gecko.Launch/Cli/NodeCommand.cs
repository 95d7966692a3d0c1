using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Gecko.Core;
using Gecko.Core.Discovery;
using Gecko.Core.Introspection;
using Gecko.Core.Routing;
using Gecko.Launch.LaunchFiles.Internal;
using Gecko.Launch.Tools;

namespace Gecko.Launch.Cli;

/// <summary><c>gecko node list</c> and <c>gecko node info NAME</c>: the nodes a hub knows, with their usage and topics.</summary>
public static class NodeCommand
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Builds the verb and its sub-verbs.</summary>
    public static Command Create() => new("node", """
        Look at the nodes of a running hub: registered processes (with CPU and memory, read by the hub from /proc),
        nodes on other machines, and in-process nodes (actors in the hub's own process).

        Examples:
          gecko node list
          gecko node info camera
        """)
    {
        CreateList(),
        CreateInfo(),
    };

    private static Command CreateList()
    {
        var hub = new HubOptions();
        var json = new Option<bool>("--json") { Description = "Print JSON for scripts." };
        var command = new Command("list", """
            List every node the hub knows: its name, kind (process, remote, in-process), pid, host, CPU % (100 = one
            core) and memory % over the hub's last sample, and the topics it publishes and subscribes to. A process
            registered the pygecko way does not say its topics: they show as '?'. In-process nodes share the hub's
            process, so their CPU and memory are the hub's (shown on its own line).

            Examples:
              gecko node list
              gecko node list --key robot1 --json
            """ + HubOptions.FindingTheHub)
        {
            json,
        };
        hub.AddTo(command);
        command.SetAction((parse, token) => Start(parse, hub, "node list", () => null, (report, output, _) =>
        {
            output.Write(parse.GetValue(json) ? Json(report.Stats.Nodes) : Table(report));
            return 0;
        }, token));
        return command;
    }

    private static Command CreateInfo()
    {
        var hub = new HubOptions();
        var name = new Argument<string>("name") { Description = "The node's name, as gecko node list shows it." };
        var json = new Option<bool>("--json") { Description = "Print JSON for scripts." };
        var command = new Command("info", """
            Show one node: its kind, pid, host, CPU, memory, resident memory and threads, and each topic it publishes or
            subscribes to with the topic's current rate. Several nodes of the same name (two processes, say) are all shown.

            Examples:
              gecko node info camera
              gecko node info talker --json
            """ + HubOptions.FindingTheHub)
        {
            name, json,
        };
        hub.AddTo(command);
        command.SetAction((parse, token) => Start(parse, hub, "node info",
            () => string.IsNullOrWhiteSpace(parse.GetValue(name)) ? "give a node's name, e.g. gecko node info camera ('gecko node list' shows them)." : null,
            (report, output, error) =>
            {
                var wanted = parse.GetValue(name)!;
                var nodes = report.Stats.Nodes.Where(n => n.Name == wanted).ToArray();
                if (nodes.Length == 0)
                {
                    var names = report.Stats.Nodes.Select(n => n.Name).Distinct().Order(StringComparer.Ordinal).ToArray();
                    error.WriteLine(TerminalText.Safe($"gecko node info: the hub knows no node named '{wanted}'{ClosestName.Hint(wanted, names)}; " +
                                    (names.Length == 0 ? "it knows no nodes at all." : $"it knows {string.Join(", ", names)}.")));
                    return 1;
                }
                output.Write(parse.GetValue(json) ? Json(nodes) : Info(nodes, report.Stats));
                return 0;
            }, token));
        return command;
    }

    private static Task<int> Start(ParseResult parse, HubOptions hub, string verb, Func<string?> check,
        Func<StatsReport, TextWriter, TextWriter, int> show, CancellationToken token)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        HubQuery query;
        TimeSpan timeout;
        try
        {
            (query, timeout) = hub.Read(parse, verb);
            if (check() is { } problem) throw new GeckoConfigurationException(problem);
        }
        catch (GeckoConfigurationException e)
        {
            error.WriteLine($"gecko {verb}: {e.Message}");
            return Task.FromResult(HubOptions.BadArguments);
        }
        return Task.Run(() =>
        {
            var (connection, report, exit) = ToolHub.Connect(verb, query, timeout, error, token);
            if (connection is null) return exit;
            using (connection) return show(report!, output, error);
        }, CancellationToken.None);
    }

    /// <summary>The table <c>gecko node list</c> prints.</summary>
    public static string Table(StatsReport report)
    {
        var stats = report.Stats;
        var text = new StringBuilder();
        text.Append(C, $"hub [{report.Hub.Pid}] on {report.Hub.Host}  key {report.Hub.Key}  CPU {stats.Hub.CpuPercent:0.0}%  memory {stats.Hub.MemoryPercent:0.0}%  in {report.Hub.InAddress}  out {report.Hub.OutAddress}\n");
        if (stats.Nodes.Count == 0)
        {
            text.Append("no nodes registered\n");
            return text.Append(ClusterLines(stats)).ToString();
        }
        var width = Math.Clamp(stats.Nodes.Max(n => n.Name.Length), 4, 32);
        var hostWidth = Math.Clamp(stats.Nodes.Max(n => n.Host.Length), 4, 24);
        text.Append(C, $"{"NAME".PadRight(width)}  {"KIND",-10}  {"PID",7}  {"HOST".PadRight(hostWidth)}  {"CPU %",6}  {"MEM %",6}  PUBLISHES / SUBSCRIBES\n");
        foreach (var node in stats.Nodes)
        {
            var cpu = node.Usage is { } usage ? usage.CpuPercent.ToString("0.0", C) : "-";
            var memory = node.Usage is { } used ? used.MemoryPercent.ToString("0.0", C) : "-";
            text.Append(C, $"{TerminalText.Safe(node.Name).PadRight(width)}  {StatsReport.KindName(node.Kind),-10}  {node.Pid,7}  {TerminalText.Safe(node.Host).PadRight(hostWidth)}  {cpu,6}  {memory,6}  {TerminalText.Safe(Topics(node))}\n");
        }
        return text.Append(ClusterLines(stats)).ToString();
    }

    /// <summary>The cluster's hosts, as the dashboard words them; nothing when the hub is not a cluster host.</summary>
    private static string ClusterLines(HubStats stats)
    {
        if (stats.Cluster is not { } cluster) return "";
        var text = new StringBuilder();
        text.Append(C, $"cluster: {cluster.UpCount} of {cluster.Members.Count} hosts up (their nodes: gecko node list --key <their key>)\n");
        foreach (var member in cluster.Members) text.Append("  ").Append(TerminalText.Safe(Dashboard.ReportLines.MemberLine(member))).Append('\n');
        return text.ToString();
    }

    private static string Topics(NodeStats node) =>
        !node.TopicsKnown ? "? / ?" : $"{List(node.Publishes)} / {List(node.Subscribes)}";

    private static string List(IReadOnlyList<string> topics) => topics.Count == 0 ? "-" : string.Join(", ", topics);

    /// <summary>What <c>gecko node info</c> prints.</summary>
    public static string Info(IReadOnlyList<NodeStats> nodes, HubStats stats)
    {
        var text = new StringBuilder();
        foreach (var node in nodes)
        {
            if (text.Length > 0) text.Append('\n');
            text.Append(C, $"{TerminalText.Safe(node.Name)}  ({StatsReport.KindName(node.Kind)}, pid {node.Pid} on {TerminalText.Safe(node.Host)})\n");
            text.Append(node switch
            {
                { Usage: { } usage } => string.Create(C, $"  CPU {usage.CpuPercent:0.0}%  memory {usage.MemoryPercent:0.0}%  {usage.ResidentBytes / 1e6:0.0} MB resident  {usage.Threads} threads\n"),
                { Kind: NodeKind.InProcess } => string.Create(C, $"  runs in the hub's process: CPU {stats.Hub.CpuPercent:0.0}%  memory {stats.Hub.MemoryPercent:0.0}% for all of it\n"),
                { Kind: NodeKind.Remote } => "  on another machine: its CPU and memory are not measured here\n",
                _ => "  CPU and memory not sampled yet\n",
            });
            TopicLines(text, "publishes", node.Publishes, node.TopicsKnown, stats);
            TopicLines(text, "subscribes", node.Subscribes, node.TopicsKnown, stats);
        }
        return text.ToString();
    }

    private static void TopicLines(StringBuilder text, string what, IReadOnlyList<string> topics, bool known, HubStats stats)
    {
        if (!known)
        {
            text.Append(C, $"  {what}: ? (it registered without naming its topics, as pygecko nodes do)\n");
            return;
        }
        if (topics.Count == 0)
        {
            text.Append(C, $"  {what}: nothing\n");
            return;
        }
        text.Append(C, $"  {what}:\n");
        var width = Math.Clamp(topics.Max(t => t.Length), 5, 40);
        foreach (var topic in topics)
        {
            var rate = stats.Topic(topic) is { Messages: > 0 } counters
                ? string.Create(C, $"{counters.MessagesPerSecond,9:0.0} msgs/s  {counters.BytesPerSecond / 1000,9:0.0} kB/s")
                : "no messages yet";
            text.Append(C, $"    {TerminalText.Safe(topic).PadRight(width)}  {rate}\n");
        }
    }

    /// <summary>The JSON of nodes, as <c>--json</c> prints it.</summary>
    public static string Json(IReadOnlyList<NodeStats> nodes) =>
        JsonSerializer.Serialize(nodes.Select(n => new
        {
            name = n.Name,
            kind = StatsReport.KindName(n.Kind),
            pid = n.Pid,
            host = n.Host,
            cpu = n.Usage?.CpuPercent,
            memory = n.Usage?.MemoryPercent,
            rss = n.Usage?.ResidentBytes,
            threads = n.Usage?.Threads,
            publishes = n.TopicsKnown ? n.Publishes : null,
            subscribes = n.TopicsKnown ? n.Subscribes : null,
        }), new JsonSerializerOptions { WriteIndented = true }) + "\n";
}
