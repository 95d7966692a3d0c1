using System.CommandLine;
using Gecko.Core.Hub;
using Gecko.Launch.Bench;
using Gecko.Launch.Bench.Endpoints;
using Gecko.Launch.Bench.Hubs;
using Gecko.Launch.Bench.Reporting;

namespace Gecko.Launch.Cli;

/// <summary><c>gecko bench</c>: the hub's throughput, latency and footprint, side by side with bare ZeroMQ hubs.</summary>
public static class BenchCommand
{
    /// <summary>Payload bytes a stream keeps in flight at most (64 MiB: 64 images of 1 MiB).</summary>
    private const long WindowBytes = 64L << 20;

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var scenario = new Option<string[]>("--scenario", "-s")
        {
            Description = "Run only scenarios whose name contains this (repeat or comma-separate; see --list).",
            AllowMultipleArgumentsPerToken = true,
        };
        var hubs = new Option<string?>("--hubs") { Description = "Hubs to compare, comma-separated: gecko, zmq_proxy, netmq-loop, netmq-loop-noclock (default: all)." };
        var duration = new Option<double>("--duration", "-d") { Description = "Seconds each measurement lasts.", DefaultValueFactory = _ => 2 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of traffic before each measurement, not counted.", DefaultValueFactory = _ => 0.5 };
        var messages = new Option<long?>("--messages", "-n") { Description = "End a throughput measurement once this many messages arrived (or at --duration)." };
        var runs = new Option<int>("--runs", "-r") { Description = "Run everything this many times and report medians.", DefaultValueFactory = _ => 1 };
        var endpoints = new Option<string?>("--endpoints") { Description = "Load generators: libzmq (default when installed) or netmq." };
        endpoints.AcceptOnlyFromAmong("libzmq", "netmq");
        var rate = new Option<double>("--rate") { Description = "Messages per second of the latency scenarios (a fixed, moderate rate).", DefaultValueFactory = _ => 1000 };
        var window = new Option<int>("--window") { Description = "Messages a publisher keeps in flight at most.", DefaultValueFactory = _ => 20_000 };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (progress still goes to stderr)." };
        var markdown = new Option<bool>("--markdown") { Description = "Print the tables as Markdown." };
        var list = new Option<bool>("--list") { Description = "List the scenarios and exit." };
        var soak = new Option<bool>("--soak")
        {
            Description = "The reliability soak instead: a steady mixed load (default 20000 msgs/s, --rate) through a gecko core for --duration "
                          + "(default 600 s), exact counts at the end, the hub's memory sampled every second. Exit code 1 when anything was lost.",
        };

        duration.Validators.Add(r => RequireRange(r, r.GetValueOrDefault<double>(), 0.05, 600, "--duration", "seconds, e.g. --duration 2"));
        warmup.Validators.Add(r => RequireRange(r, r.GetValueOrDefault<double>(), 0, 60, "--warmup", "seconds, e.g. --warmup 0.5"));
        runs.Validators.Add(r => RequireRange(r, r.GetValueOrDefault<int>(), 1, 25, "--runs", "runs, e.g. --runs 3"));
        rate.Validators.Add(r => RequireRange(r, r.GetValueOrDefault<double>(), 1, 100_000, "--rate", "messages per second, e.g. --rate 1000"));
        window.Validators.Add(r => RequireRange(r, r.GetValueOrDefault<int>(), 16, 1_000_000, "--window", "messages, e.g. --window 20000"));
        messages.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long?>() is <= 0) r.AddError("--messages must be at least 1, e.g. --messages 1000000.");
        });

        var command = new Command("bench", """
            Measure the hub: throughput, latency, CPU, memory and start-up, each side by side in one run with libzmq's
            zmq_proxy (via /usr/bin/python3 with python3-zmq) and a bare NetMQ forwarding loop, with ratios.

            Examples:
              gecko bench                                  # every scenario, once (a few minutes)
              gecko bench --runs 3 --markdown              # medians of three runs, as a Markdown table
              gecko bench -s throughput-64b -s rtt --json  # some scenarios, as JSON
            """)
        {
            scenario, hubs, duration, warmup, messages, runs, endpoints, rate, window, json, markdown, list, soak, CreateServe(),
        };
        command.SetAction(async (parse, token) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(list))
            {
                foreach (var s in ScenarioCatalog.All) await output.WriteLineAsync($"{s.Id,-22} {s.Description}");
                return 0;
            }
            if (parse.GetValue(soak))
            {
                // The soak has defaults of its own: ten minutes at 20 k msgs/s unless --duration or --rate say otherwise.
                var soakDuration = parse.GetResult(duration) is { Implicit: false } ? TimeSpan.FromSeconds(parse.GetValue(duration)) : Bench.Soak.SoakRun.DefaultDuration;
                var soakRate = parse.GetResult(rate) is { Implicit: false } ? parse.GetValue(rate) : Bench.Soak.SoakRun.DefaultRate;
                try
                {
                    var result = await Bench.Soak.SoakRun.RunAsync(soakDuration, soakRate, error, TimeSpan.FromSeconds(10), token);
                    foreach (var line in result.Lines()) await output.WriteLineAsync(line);
                    return result.Passed ? 0 : 1;
                }
                catch (BenchException e)
                {
                    await error.WriteLineAsync($"gecko bench: {e.Message}");
                    return 1;
                }
            }
            var selected = ScenarioCatalog.Select(parse.GetValue(scenario) ?? [], out var unmatched);
            if (unmatched.Count > 0)
            {
                await error.WriteLineAsync($"gecko bench: no scenario matches {string.Join(", ", unmatched.Select(u => $"'{u}'"))}; run gecko bench --list to see them.");
                return 2;
            }
            if (!TryParseHubs(parse.GetValue(hubs), out var hubKinds, out var hubError))
            {
                await error.WriteLineAsync($"gecko bench: {hubError}");
                return 2;
            }
            var endpointKind = parse.GetValue(endpoints) switch
            {
                "netmq" => EndpointKind.NetMq,
                "libzmq" => EndpointKind.LibZmq,
                _ => EndpointFactory.IsAvailable(EndpointKind.LibZmq) ? EndpointKind.LibZmq : EndpointKind.NetMq,
            };
            if (!EndpointFactory.IsAvailable(endpointKind))
            {
                await error.WriteLineAsync("gecko bench: --endpoints libzmq needs libzmq.so.5 (apt-get install libzmq5, or python3-zmq which brings it).");
                return 2;
            }

            var options = new BenchOptions(selected, hubKinds, TimeSpan.FromSeconds(parse.GetValue(duration)), TimeSpan.FromSeconds(parse.GetValue(warmup)),
                parse.GetValue(messages), parse.GetValue(runs), endpointKind, parse.GetValue(rate), parse.GetValue(window), WindowBytes);
            return await RunAsync(options, parse.GetValue(json), parse.GetValue(markdown), output, error, token);
        });
        return command;
    }

    /// <summary>Runs the bench and prints the report; 0 when every Gecko measurement ran.</summary>
    public static async Task<int> RunAsync(BenchOptions options, bool json, bool markdown, TextWriter output, TextWriter error, CancellationToken token)
    {
        // The bench's own NetMQ endpoints get the same tick counter the hub gives NetMQ, whichever hub is measured.
        Core.Bridge.Internal.NetMqFastClock.TryEnable();
        var runner = new BenchRunner(options, error);
        var report = await runner.RunAsync(token);
        await output.WriteAsync(json ? ReportWriter.ToJson(report) + "\n" : ReportWriter.ToText(report, markdown));
        await output.FlushAsync(CancellationToken.None);
        if (token.IsCancellationRequested) return 130;
        return runner.GeckoFailed ? 1 : 0;
    }

    private static bool TryParseHubs(string? value, out IReadOnlyList<HubKind> hubs, out string error)
    {
        error = "";
        if (string.IsNullOrWhiteSpace(value))
        {
            hubs = HubNames.All;
            return true;
        }
        var kinds = new List<HubKind>();
        foreach (var name in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!HubNames.TryParse(name, out var kind))
            {
                hubs = [];
                error = $"--hubs: '{name}' is not a hub; use some of {string.Join(", ", HubNames.All.Select(HubNames.Name))}.";
                return false;
            }
            if (!kinds.Contains(kind)) kinds.Add(kind);
        }
        hubs = HubNames.All.Where(kinds.Contains).ToArray();
        return true;
    }

    private static void RequireRange(System.CommandLine.Parsing.OptionResult result, double value, double min, double max, string name, string example)
    {
        if (value < min || value > max) result.AddError($"{name} {value} is out of range: give {min}–{max} {example}.");
    }

    /// <summary><c>gecko bench serve KIND</c> (hidden): a hub under test, run by the bench in a child process.</summary>
    private static Command CreateServe()
    {
        var kind = new Argument<string>("kind") { Description = "gecko, netmq-loop or netmq-loop-noclock." };
        kind.AcceptOnlyFromAmong("gecko", "netmq-loop", "netmq-loop-noclock");
        var receiveHwm = new Option<int>("--receive-hwm") { DefaultValueFactory = _ => CoreSettings.Default.ReceiveHighWaterMark };
        var sendHwm = new Option<int>("--send-hwm") { DefaultValueFactory = _ => CoreSettings.Default.SendHighWaterMark };
        var command = new Command("serve", "A hub under test on OS-chosen loopback ports, until standard input closes.") { kind, receiveHwm, sendHwm };
        command.Hidden = true;
        command.SetAction(async (parse, token) =>
        {
            // The bench holds our standard input open: when it closes (the bench finished, or died), we stop.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
            var watcher = new Thread(() =>
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[64];
                while (stdin.Read(buffer) > 0) { }
                stop.Cancel();
            }) { IsBackground = true, Name = "stdin-watch" };
            watcher.Start();
            var output = parse.InvocationConfiguration.Output;
            return parse.GetValue(kind) switch
            {
                "gecko" => await CoreCommand.RunAsync(new CoreCommand.Options("tcp://127.0.0.1:0", "tcp://127.0.0.1:0", null, "gecko-bench", Quiet: true),
                    output, parse.InvocationConfiguration.Error, stop.Token),
                var loop => NetMqForwardingLoop.Run(loop == "netmq-loop", parse.GetValue(receiveHwm), parse.GetValue(sendHwm), output, stop.Token),
            };
        });
        return command;
    }
}
