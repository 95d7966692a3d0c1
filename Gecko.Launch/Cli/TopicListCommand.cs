using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Gecko.Core;
using Gecko.Core.Introspection;
using Gecko.Core.Routing;
using Gecko.Launch.Tools;

namespace Gecko.Launch.Cli;

/// <summary><c>gecko topic list</c>: the hub's topics with their rates and their publisher and subscriber counts.</summary>
public static class TopicListCommand
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var hub = new HubOptions();
        var json = new Option<bool>("--json") { Description = "Print JSON for scripts: the hub and every topic with its counters." };
        var all = new Option<bool>("--all", "-a") { Description = "Also list the hub's own reserved topics (gecko.*), apart." };
        var command = new Command("list", """
            List the topics a hub has seen: messages per second and kB per second over the hub's last stats interval,
            how many publishers and subscribers each has, and the messages since the hub started.
            A count is exact when the hub knows every participant. Gecko nodes announce their topics; pygecko nodes and
            bare ZeroMQ sockets do not, and ZeroMQ does not tell the hub who they are: then the count shows '?' (none
            known, some there) or '2+' (two known, maybe more).

            Examples:
              gecko topic list
              gecko topic list --key robot1
              gecko topic list --json | jq -r '.topics[] | select(.msgs_per_s > 10) | .topic'
            """ + HubOptions.FindingTheHub)
        {
            json, all,
        };
        hub.AddTo(command);
        command.SetAction((parse, token) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var (query, timeout) = hub.Read(parse, "topic list");
                return Task.Run(() => Run(query, timeout, parse.GetValue(json), parse.GetValue(all), output, error, token), CancellationToken.None);
            }
            catch (GeckoConfigurationException e)
            {
                error.WriteLine($"gecko topic list: {e.Message}");
                return Task.FromResult(HubOptions.BadArguments);
            }
        });
        return command;
    }

    private static int Run(Core.Discovery.HubQuery query, TimeSpan timeout, bool json, bool all, TextWriter output, TextWriter error, CancellationToken token)
    {
        var (connection, report, exit) = ToolHub.Connect("topic list", query, timeout, error, token);
        if (connection is null) return exit;
        using (connection)
        {
            output.Write(json ? Json(report!, all) : Table(report!, all));
            return 0;
        }
    }

    /// <summary>The table <c>gecko topic list</c> prints.</summary>
    public static string Table(StatsReport report, bool all)
    {
        var stats = report.Stats;
        var text = new System.Text.StringBuilder();
        if (stats.Topics.Count == 0) text.Append("no topics yet\n");
        else Rows(text, stats.Topics, counts: true);
        if (all && stats.Reserved.Count > 0)
        {
            text.Append("\nthe hub's own (reserved):\n");
            Rows(text, stats.Reserved, counts: false);
        }
        text.Append(C, $"rates over the hub's last {stats.Interval.TotalSeconds:0.#} s interval");
        if (stats.Topics.Any(t => !t.Publishers.Exact || !t.Subscribers.Exact))
            text.Append("; ? = some the hub cannot name, 2+ = two known and maybe more (see gecko topic list --help)");
        text.Append('\n');
        return text.ToString();
    }

    private static void Rows(System.Text.StringBuilder text, IReadOnlyList<TopicStats> topics, bool counts)
    {
        var width = Math.Clamp(topics.Max(t => t.Topic.Length), 5, 40);
        text.Append(C, $"{"TOPIC".PadRight(width)}  {"MSGS/S",9}  {"KB/S",10}  {"PUBS",4}  {"SUBS",4}  {"MESSAGES",10}\n");
        foreach (var topic in topics)
        {
            var publishers = counts ? topic.Publishers.ToString() : "-";
            var subscribers = counts ? topic.Subscribers.ToString() : "-";
            text.Append(C, $"{TerminalText.Safe(topic.Topic).PadRight(width)}  {topic.MessagesPerSecond,9:0.0}  {topic.BytesPerSecond / 1000,10:0.0}  {publishers,4}  {subscribers,4}  {topic.Messages,10}\n");
        }
    }

    /// <summary>The JSON <c>gecko topic list --json</c> prints.</summary>
    public static string Json(StatsReport report, bool all)
    {
        var topics = report.Stats.Topics.Select(t => Topic(t, reserved: false));
        if (all) topics = topics.Concat(report.Stats.Reserved.Select(t => Topic(t, reserved: true)));
        var document = new
        {
            hub = new { pid = report.Hub.Pid, host = report.Hub.Host, key = report.Hub.Key, @in = report.Hub.InAddress, @out = report.Hub.OutAddress },
            interval = report.Stats.Interval.TotalSeconds,
            topics = topics.ToArray(),
        };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static object Topic(TopicStats topic, bool reserved) => new
    {
        topic = topic.Topic,
        messages = topic.Messages,
        bytes = topic.Bytes,
        msgs_per_s = Math.Round(topic.MessagesPerSecond, 3),
        bytes_per_s = Math.Round(topic.BytesPerSecond, 1),
        publishers = topic.Publishers.Known,
        publishers_exact = topic.Publishers.Exact,
        subscribers = topic.Subscribers.Known,
        subscribers_exact = topic.Subscribers.Exact,
        dropped = topic.Dropped,
        cluster = new
        {
            messages_in = topic.Cluster.MessagesIn,
            in_per_s = Math.Round(topic.Cluster.InPerSecond, 3),
            messages_out = topic.Cluster.MessagesOut,
            out_per_s = Math.Round(topic.Cluster.OutPerSecond, 3),
        },
        reserved,
    };
}
