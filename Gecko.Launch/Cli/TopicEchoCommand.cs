using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Gecko.Core;
using Gecko.Core.Discovery;
using Gecko.Core.Introspection;
using Gecko.Launch.Tools;

namespace Gecko.Launch.Cli;

/// <summary><c>gecko topic echo TOPIC</c>: prints each message of a topic, decoded, one per line.</summary>
public static class TopicEchoCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var hub = new HubOptions();
        var topic = new Argument<string>("topic") { Description = "The topic; end it with * (quoted) for every topic starting so, e.g. 'camera/*'." };
        var prefix = new Option<bool>("--prefix", "-p") { Description = "Every topic starting with TOPIC (as a trailing * does)." };
        var count = new Option<string?>("--count", "-n") { Description = "Exit after N messages." };
        var raw = new Option<bool>("--raw") { Description = "Print each payload as hex instead of decoding it." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per message: topic, type, value, bytes, time." };
        var command = new Command("echo", """
            Print the messages of a topic as they pass the hub, one per line: standard messages by their field names
            (twist {"linear": {"x": 0.5, ...}, ...}), maps as JSON, bytes as their length and first bytes. With a prefix,
            each line starts with the message's topic. Runs until Ctrl-C, or -n messages.

            Examples:
              gecko topic echo imu
              gecko topic echo imu -n 1
              gecko topic echo 'camera/*'        # every topic starting with camera/
              gecko topic echo cv --raw -n 3     # payloads as hex
              gecko topic echo log --json
            """ + HubOptions.FindingTheHub)
        {
            topic, prefix, count, raw, json,
        };
        hub.AddTo(command);
        command.SetAction((parse, token) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var (query, timeout) = hub.Read(parse, "topic echo");
                var topicArgument = TopicArgument.Parse(parse.GetValue(topic), parse.GetValue(prefix), allowPrefix: true, "gecko topic echo imu");
                var limit = ParseCount(parse.GetValue(count));
                var options = new Options(topicArgument, limit, parse.GetValue(raw), parse.GetValue(json));
                return Task.Run(() => Run(query, timeout, options, output, error, token), CancellationToken.None);
            }
            catch (GeckoConfigurationException e)
            {
                error.WriteLine($"gecko topic echo: {e.Message}");
                return Task.FromResult(HubOptions.BadArguments);
            }
        });
        return command;
    }

    private sealed record Options(TopicArgument Topic, long? Count, bool Raw, bool Json);

    /// <summary>Reads <c>-n</c>: a whole number of at least 1.</summary>
    internal static long? ParseCount(string? text, string option = "-n")
    {
        if (text is null) return null;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
            throw new GeckoConfigurationException($"{option} '{text}' is not a whole number of at least 1: write e.g. {option} 10.");
        return count;
    }

    private static int Run(HubQuery query, TimeSpan timeout, Options options, TextWriter output, TextWriter error, CancellationToken token)
    {
        var (hub, report, exit) = ToolHub.Connect("topic echo", query, timeout, error, token);
        if (hub is null) return exit;
        using (hub)
        {
            var topic = options.Topic;
            if (!topic.Matches(ReservedTopics.Stats)) hub.Unsubscribe(ReservedTopics.Stats);
            hub.Subscribe(topic.Name);
            if (!topic.IsPrefix && report!.Stats.Topic(topic.Name) is null && report.Stats.Reserved.All(t => t.Topic != topic.Name))
                error.WriteLine($"gecko topic echo: the hub has seen no message on {topic} yet; waiting for one (Ctrl-C to stop).");
            long printed = 0;
            while (!token.IsCancellationRequested && printed < (options.Count ?? long.MaxValue))
            {
                if (!hub.TryReceive(TimeSpan.FromMilliseconds(100), out var name, out var payload) || !topic.Matches(name)) continue;
                output.WriteLine(Line(name, payload, options, showTopic: topic.IsPrefix));
                printed++;
            }
            return 0;
        }
    }

    private static string Line(string topic, byte[] payload, Options options, bool showTopic)
    {
        if (options.Json)
        {
            var text = options.Raw ? null : PayloadText.From(payload);
            var line = new System.Text.StringBuilder("{\"topic\": ").Append(JsonSerializer.Serialize(topic));
            line.Append(", \"type\": ").Append(text?.Type is { } type ? JsonSerializer.Serialize(type) : "null");
            line.Append(", \"value\": ").Append(options.Raw ? JsonSerializer.Serialize(Convert.ToHexStringLower(payload)) : text!.Json);
            line.Append(CultureInfo.InvariantCulture, $", \"bytes\": {payload.Length}, \"time\": {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0:0.000}}}");
            return line.ToString();
        }
        var value = options.Raw ? Convert.ToHexStringLower(payload) : PayloadText.From(payload).ToString();
        return showTopic ? $"{TerminalText.Safe(topic)}: {value}" : value;
    }
}
