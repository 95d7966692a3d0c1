using System.CommandLine;
using System.Globalization;
using Gecko.Core;
using Gecko.Core.Discovery;
using Gecko.Core.Introspection;
using Gecko.Core.Messages;
using Gecko.Core.Wire;
using Gecko.Launch.LaunchFiles.Internal;
using Gecko.Launch.Tools;
using Spectre.Console;

namespace Gecko.Launch.Cli;

/// <summary><c>gecko log</c>: the <c>log</c> topic, one line per message, with the time it arrived, coloured by level.</summary>
public static class LogCommand
{
    /// <summary>The levels, lowest first, as nodes write them.</summary>
    public static readonly IReadOnlyList<string> Levels = LogMessage.Levels;

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var hub = new HubOptions();
        var level = new Option<string?>("--level", "-l") { Description = "Show this level and above: DEBUG, INFO, WARN or ERROR (default: all)." };
        var nodes = new Option<string[]>("--node") { Description = "Show only this node's lines; repeat for several.", AllowMultipleArgumentsPerToken = false };
        var color = new Option<string?>("--color") { Description = "auto (default: on a terminal, unless NO_COLOR is set), always or never." };
        var count = new Option<string?>("--count", "-n") { Description = "Exit after N lines." };
        var command = new Command("log", """
            Print what nodes log on the 'log' topic (every node's Log.Info/Warn/..., pygecko's too), one line each:
            the time it arrived here (local time; log messages carry none), the level, the node and the text. Errors are
            red, warnings yellow, debug grey. Runs until Ctrl-C.

            Output:
              14:03:07.215 INFO  talker: hello world
              14:03:07.402 WARN  camera: frame dropped

            Examples:
              gecko log
              gecko log --level WARN
              gecko log --node camera --node imu
            """ + HubOptions.FindingTheHub)
        {
            level, nodes, color, count,
        };
        hub.AddTo(command);
        command.SetAction((parse, token) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var (query, timeout) = hub.Read(parse, "log");
                var options = new Options(MinimumLevel(parse.GetValue(level)), [.. parse.GetValue(nodes) ?? []],
                    UseColor(parse.GetValue(color), output), TopicEchoCommand.ParseCount(parse.GetValue(count)));
                return Task.Run(() => Run(query, timeout, options, output, error, token), CancellationToken.None);
            }
            catch (GeckoConfigurationException e)
            {
                error.WriteLine($"gecko log: {e.Message}");
                return Task.FromResult(HubOptions.BadArguments);
            }
        });
        return command;
    }

    private sealed record Options(int? MinimumLevel, HashSet<string> Nodes, bool Color, long? Count);

    /// <summary>The index in <see cref="Levels"/> of <paramref name="text"/> (WARNING is WARN), case-insensitive; null for none.</summary>
    private static int? MinimumLevel(string? text)
    {
        if (text is null) return null;
        var index = LevelIndex(text);
        if (index < 0)
            throw new GeckoConfigurationException($"--level '{text}' is not a level{ClosestName.Hint(text.ToUpperInvariant(), Levels)}: use DEBUG, INFO, WARN or ERROR.");
        return index;
    }

    private static int LevelIndex(string level)
    {
        var upper = level.Trim().ToUpperInvariant();
        if (upper == "WARNING") upper = "WARN";
        for (var i = 0; i < Levels.Count; i++)
            if (Levels[i] == upper) return i;
        return -1;
    }

    private static bool UseColor(string? mode, TextWriter output) => (mode ?? "auto").ToLowerInvariant() switch
    {
        "always" => true,
        "never" => false,
        "auto" => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Ansi
                  && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")),
        _ => throw new GeckoConfigurationException($"--color '{mode}' is not auto, always or never."),
    };

    private static int Run(HubQuery query, TimeSpan timeout, Options options, TextWriter output, TextWriter error, CancellationToken token)
    {
        var (hub, _, exit) = ToolHub.Connect("log", query, timeout, error, token);
        if (hub is null) return exit;
        var console = options.Color
            ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.Standard })
            : null;
        // Lines are never wrapped: a log line stays one line, however narrow the terminal.
        if (console is not null) console.Profile.Width = int.MaxValue / 2;
        using (hub)
        {
            hub.Unsubscribe(ReservedTopics.Stats);
            hub.Subscribe(WireProtocol.LogTopic);
            long printed = 0;
            while (!token.IsCancellationRequested && printed < (options.Count ?? long.MaxValue))
            {
                if (!hub.TryReceive(TimeSpan.FromMilliseconds(100), out var topic, out var payload) || topic != WireProtocol.LogTopic) continue;
                var time = DateTime.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
                if (!GeckoSerializer.TryDecode<LogMessage>(payload, out var log, out _) || log is null)
                {
                    // Not a [level, name, text] array: shown as it is, unless a level or node was asked for.
                    if (options.MinimumLevel is not null || options.Nodes.Count > 0) continue;
                    Write(console, output, time, "?", "", PayloadText.From(payload).ToString());
                }
                else
                {
                    var index = LevelIndex(log.Level ?? "");
                    if (options.MinimumLevel is { } minimum && index < minimum) continue;
                    if (options.Nodes.Count > 0 && !options.Nodes.Contains(log.Name ?? "")) continue;
                    Write(console, output, time, index >= 0 ? Levels[index] : log.Level ?? "?", log.Name ?? "", log.Text ?? "");
                }
                printed++;
            }
        }
        return 0;
    }

    private static void Write(IAnsiConsole? console, TextWriter output, string time, string level, string node, string text)
    {
        var safeLevel = TerminalText.Safe(level).PadRight(5);
        var line = node.Length > 0 ? $"{TerminalText.Safe(node)}: {TerminalText.Safe(text)}" : TerminalText.Safe(text);
        if (console is null)
        {
            output.WriteLine($"{time} {safeLevel} {line}");
            return;
        }
        var style = level switch { "ERROR" => "red", "WARN" => "yellow", "DEBUG" => "grey", "INFO" => "green", _ => "default" };
        console.MarkupLine($"[grey]{time}[/] [{style}]{Markup.Escape(safeLevel)}[/] {Markup.Escape(line)}");
    }
}
