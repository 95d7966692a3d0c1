using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Gecko.Core;
using Gecko.Core.Discovery;
using Gecko.Core.Introspection;
using Gecko.Core.Wire;
using Gecko.Launch.Tools;

namespace Gecko.Launch.Cli;

/// <summary><c>gecko topic pub TOPIC VALUE</c>: publishes a JSON value or a standard message, once or at a rate.</summary>
public static class TopicPubCommand
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var hub = new HubOptions();
        var topic = new Argument<string>("topic") { Description = "The topic to publish on." };
        var value = new Argument<string>("value") { Description = "The value as JSON (quote it for the shell), or the fields of --type." };
        var type = new Option<string?>("--type") { Description = "Publish a standard message: vector, quaternion, wrench, pose, twist, imu, joystick, image, lidar or log." };
        var rate = new Option<string?>("--rate", "-r") { Description = "Publish HZ times a second until Ctrl-C (or -n messages)." };
        var once = new Option<bool>("--once") { Description = "Publish one message and exit (the default without --rate and -n)." };
        var count = new Option<string?>("--count", "-n") { Description = "Publish N messages (at --rate, else one after the other), then exit." };
        var command = new Command("pub", """
            Publish a value on a topic through the hub. VALUE is JSON, sent as MessagePack as pygecko nodes send it
            (objects become maps, integers stay integers, other numbers are float64). With --type, VALUE gives the fields
            of a standard message by name (or as a list in order; nested messages as [x, y, z] or {"x": ...}); a timestamp
            left out is the time of sending. The tool waits until the hub has answered through its own connection before
            it sends, so even a single message is not lost while ZeroMQ connects.

            Examples:
              gecko topic pub chatter '"hello"'
              gecko topic pub config '{"speed": 0.5, "mode": "auto"}'
              gecko topic pub cmd --type twist '{"linear": [0.5, 0, 0], "angular": [0, 0, 0.2]}' --rate 10
              gecko topic pub pose --type pose '[[1, 2, 0], [1, 0, 0, 0]]' --once
              gecko topic pub imu --type imu '{"linear_accel": [0, 0, 9.81], "angular_vel": [0, 0, 0], "magnetic_field": [20, -5, 40]}' -r 50 -n 500
            """ + HubOptions.FindingTheHub)
        {
            topic, value, type, rate, once, count,
        };
        hub.AddTo(command);
        command.SetAction((parse, token) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var (query, timeout) = hub.Read(parse, "topic pub");
                var options = Read(parse.GetValue(topic), parse.GetValue(value), parse.GetValue(type), parse.GetValue(rate), parse.GetValue(once), parse.GetValue(count));
                return Task.Run(() => Run(query, timeout, options, output, error, token), CancellationToken.None);
            }
            catch (GeckoConfigurationException e)
            {
                error.WriteLine($"gecko topic pub: {e.Message}");
                return Task.FromResult(HubOptions.BadArguments);
            }
        });
        return command;
    }

    private sealed record Options(string Topic, JsonPayload.Value Value, double? Hz, long? Count);

    private static Options Read(string? topic, string? value, string? type, string? rate, bool once, string? count)
    {
        var name = TopicArgument.Parse(topic, false, allowPrefix: false, "gecko topic pub chatter '\"hello\"'").Name;
        if (name.EndsWith('*') || ReservedTopics.IsReserved(name))
            throw new GeckoConfigurationException($"topics starting with {ReservedTopics.Prefix} are the hub's own and it drops what others publish there: pick another topic.");
        var parsed = JsonPayload.Parse(value ?? "", type);
        double? hz = null;
        if (rate is not null)
        {
            if (!double.TryParse(rate, NumberStyles.Float, C, out var r) || !double.IsFinite(r) || r is <= 0 or > 100_000)
                throw new GeckoConfigurationException($"--rate '{rate}' is not a rate above 0 and up to 100000 Hz: write e.g. --rate 10 or --rate 0.5.");
            hz = r;
        }
        var n = TopicEchoCommand.ParseCount(count);
        if (once && (hz is not null || n is not null))
            throw new GeckoConfigurationException("--once sends one message: leave out --rate and -n, or drop --once.");
        if (hz is null && n is null) n = 1;
        return new Options(name, parsed, hz, n);
    }

    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Waits, at most <paramref name="linger"/> and a second, until what the closed sockets still hold has left. NetMQ's
    /// I/O thread is a background thread and a socket's linger is kept only while the process lives: a tool that exits
    /// right after publishing on a busy machine lost its message. Cleanup ends NetMQ in this process, which is done here.
    /// </summary>
    private static void FlushBeforeExit(TimeSpan linger) =>
        Task.Run(() => NetMQ.NetMQConfig.Cleanup(block: true)).Wait(linger + TimeSpan.FromSeconds(1));

    private static int Run(HubQuery query, TimeSpan timeout, Options options, TextWriter output, TextWriter error, CancellationToken token)
    {
        // What was sent leaves before the tool exits: closing waits up to this long for the hub to take it.
        var (hub, _, exit) = ToolHub.Connect("topic pub", query, timeout, error, token, linger: Linger);
        if (hub is null) return exit;
        var topic = WireProtocol.EncodeTopic(options.Topic);
        long sent = 0;
        using (hub)
        {
            hub.Unsubscribe(ReservedTopics.Stats);
            var period = options.Hz is { } hz ? (long)(Stopwatch.Frequency / hz) : 0;
            var next = Stopwatch.GetTimestamp();
            // Encoded once, unless a timestamp left out is to be the time of each message.
            var payload = options.Value.StampsTime ? null : options.Value.Encode(DateTimeOffset.UtcNow);
            while (!token.IsCancellationRequested && sent < (options.Count ?? long.MaxValue))
            {
                if (period > 0)
                {
                    // A fixed schedule, so the time spent sending does not add up; more than a period late, it starts afresh
                    // instead of catching up in a burst.
                    var wait = next - Stopwatch.GetTimestamp();
                    if (wait > 0 && token.WaitHandle.WaitOne(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency))) break;
                    next += period;
                    if (next < Stopwatch.GetTimestamp() - period) next = Stopwatch.GetTimestamp() + period;
                }
                hub.Publish(topic, payload ?? options.Value.Encode(DateTimeOffset.UtcNow));
                sent++;
            }
        }
        FlushBeforeExit(Linger);
        var rateText = options.Hz is { } r ? string.Create(C, $" at {r:0.###} Hz") : "";
        output.WriteLine(string.Create(C, $"published {sent} message{(sent == 1 ? "" : "s")} on '{options.Topic}'{rateText}"));
        return 0;
    }
}
