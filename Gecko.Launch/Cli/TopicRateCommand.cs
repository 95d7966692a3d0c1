using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Gecko.Core;
using Gecko.Core.Discovery;
using Gecko.Core.Introspection;
using Gecko.Launch.Tools;

namespace Gecko.Launch.Cli;

/// <summary><c>gecko topic hz</c> and <c>gecko topic bw</c>: a topic's rate or bandwidth over a sliding window, every second.</summary>
public static class TopicRateCommand
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>The window when <c>--window</c> is not given.</summary>
    public const int DefaultWindow = 100;

    /// <summary>Builds <c>gecko topic hz</c>.</summary>
    public static Command CreateHz() => Create("hz", """
        Measure how often a topic's messages arrive, as rostopic hz does: every second, the average rate over the last
        --window messages, and the shortest, longest and standard deviation of the intervals between them. The times are
        when the messages reach this tool (after the hub and the network).

        Output, every second:
          average rate: 49.987
                  min: 0.019s max: 0.021s std dev: 0.00052s window: 100

        Examples:
          gecko topic hz imu
          gecko topic hz imu --window 500
          gecko topic hz imu -n 5            # five reports, then exit
        """, Hz);

    /// <summary>Builds <c>gecko topic bw</c>.</summary>
    public static Command CreateBw() => Create("bw", """
        Measure a topic's bandwidth, as rostopic bw does: every second, the payload bytes per second over the last
        --window messages, and their mean, smallest and largest size (payload bytes, as the hub counts them).

        Output, every second:
          average: 14.97 MB/s
                  mean: 998.00 kB min: 998.00 kB max: 998.00 kB window: 100

        Examples:
          gecko topic bw cv
          gecko topic bw cv --window 30 -n 3
        """, Bandwidth);

    private static Command Create(string verb, string description, Func<ArrivalWindow, string?> report)
    {
        var hub = new HubOptions();
        var topic = new Argument<string>("topic") { Description = "The exact topic." };
        var window = new Option<string?>("--window", "-w") { Description = $"Messages the statistics cover (default {DefaultWindow})." };
        var count = new Option<string?>("--count", "-n") { Description = "Exit after N reports." };
        var command = new Command(verb, description + HubOptions.FindingTheHub) { topic, window, count };
        hub.AddTo(command);
        command.SetAction((parse, token) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var (query, timeout) = hub.Read(parse, $"topic {verb}");
                var name = TopicArgument.Parse(parse.GetValue(topic), false, allowPrefix: false, $"gecko topic {verb} imu").Name;
                var size = ParseWindow(parse.GetValue(window));
                var reports = TopicEchoCommand.ParseCount(parse.GetValue(count));
                return Task.Run(() => Run(verb, query, timeout, name, size, reports, report, output, error, token), CancellationToken.None);
            }
            catch (GeckoConfigurationException e)
            {
                error.WriteLine($"gecko topic {verb}: {e.Message}");
                return Task.FromResult(HubOptions.BadArguments);
            }
        });
        return command;
    }

    private static int ParseWindow(string? text)
    {
        if (text is null) return DefaultWindow;
        if (!int.TryParse(text, NumberStyles.None, C, out var size) || size is < 2 or > 1_000_000)
            throw new GeckoConfigurationException($"--window '{text}' is not a number of messages from 2 to 1000000: write e.g. --window 500.");
        return size;
    }

    private static int Run(string verb, HubQuery query, TimeSpan timeout, string topic, int windowSize, long? reports,
        Func<ArrivalWindow, string?> describe, TextWriter output, TextWriter error, CancellationToken token)
    {
        var (hub, report, exit) = ToolHub.Connect($"topic {verb}", query, timeout, error, token);
        if (hub is null) return exit;
        using (hub)
        {
            if (topic != ReservedTopics.Stats) hub.Unsubscribe(ReservedTopics.Stats);
            hub.Subscribe(topic);
            if (report!.Stats.Topic(topic) is null)
                error.WriteLine($"gecko topic {verb}: the hub has seen no message on '{topic}' yet; waiting for one (Ctrl-C to stop).");
            var window = new ArrivalWindow(windowSize);
            var second = TimeSpan.FromSeconds(1);
            var nextReport = Stopwatch.GetTimestamp() + (long)(second.TotalSeconds * Stopwatch.Frequency);
            long printed = 0, seenAtLastReport = 0;
            while (!token.IsCancellationRequested && printed < (reports ?? long.MaxValue))
            {
                var now = Stopwatch.GetTimestamp();
                if (now >= nextReport)
                {
                    // Checked before every receive: a busy topic must not keep the report from coming.
                    nextReport += (long)(second.TotalSeconds * Stopwatch.Frequency);
                    if (nextReport <= now) nextReport = now + (long)(second.TotalSeconds * Stopwatch.Frequency);
                    output.WriteLine(window.Total == seenAtLastReport ? "no new messages" : describe(window) ?? "no new messages");
                    seenAtLastReport = window.Total;
                    printed++;
                    continue;
                }
                var wait = TimeSpan.FromSeconds(Math.Min(0.1, (double)(nextReport - now) / Stopwatch.Frequency));
                // The receive time is taken at once: it is what the statistics are about.
                if (hub.TryReceive(wait, out var name, out var payload) && name == topic) window.Add(Stopwatch.GetTimestamp(), payload.Length);
            }
            return 0;
        }
    }

    /// <summary>What <c>hz</c> prints for <paramref name="window"/>; null before two messages came.</summary>
    public static string? Hz(ArrivalWindow window) => window.Rate() is { } rate
        ? string.Create(C, $"average rate: {rate.Hz:0.000}\n\tmin: {rate.Min.TotalSeconds:0.000}s max: {rate.Max.TotalSeconds:0.000}s std dev: {rate.StdDev.TotalSeconds:0.00000}s window: {rate.Window}")
        : null;

    /// <summary>What <c>bw</c> prints for <paramref name="window"/>; null before two messages came.</summary>
    public static string? Bandwidth(ArrivalWindow window) => window.Bandwidth() is { } bandwidth
        ? $"average: {Bytes(bandwidth.BytesPerSecond)}/s\n\tmean: {Bytes(bandwidth.Mean)} min: {Bytes(bandwidth.Min)} max: {Bytes(bandwidth.Max)} window: {bandwidth.Window}"
        : null;

    /// <summary>Bytes as people read them: <c>64 B</c>, <c>1234.5 B</c>, <c>14.97 kB</c>, <c>2.10 MB</c> (powers of 1000). Below 10 kB, exact.</summary>
    public static string Bytes(double bytes) => bytes switch
    {
        < 10_000 => string.Create(C, $"{bytes:0.#} B"),
        < 1_000_000 => string.Create(C, $"{bytes / 1e3:0.00} kB"),
        < 1_000_000_000 => string.Create(C, $"{bytes / 1e6:0.00} MB"),
        _ => string.Create(C, $"{bytes / 1e9:0.00} GB"),
    };
}
