using System.Globalization;
using System.Text.RegularExpressions;

namespace Gecko.Launch.Tests.Cli;

/// <summary>One plain-text dashboard report: each topic's msgs/s and kB/s, and the registered processes' names.</summary>
internal sealed record PlainReport(IReadOnlyDictionary<string, double> TopicRates, IReadOnlyDictionary<string, double> TopicKilobytes,
    IReadOnlySet<string> Processes, string Text);

/// <summary>
/// Collects the plain-text reports in <c>gecko launch --plain</c> output, fed line by line. A report starts with
/// "== " and goes on with indented lines; process output and launcher events come between reports.
/// </summary>
internal sealed partial class PlainReports
{
    private readonly List<PlainReport> _completed = [];
    private List<string>? _current;

    public IReadOnlyList<PlainReport> Completed => _completed;

    public PlainReport? Last => _completed.Count > 0 ? _completed[^1] : null;

    /// <summary>Feeds one output line; returns true when it completed a report.</summary>
    public bool Feed(string line)
    {
        if (_current is not null && line.StartsWith(' ') && !line.StartsWith("stderr:", StringComparison.Ordinal))
        {
            _current.Add(line);
            return false;
        }
        var completed = Complete();
        if (line.StartsWith("== ", StringComparison.Ordinal)) _current = [line];
        return completed;
    }

    private bool Complete()
    {
        if (_current is null) return false;
        var topics = new Dictionary<string, double>(StringComparer.Ordinal);
        var kilobytes = new Dictionary<string, double>(StringComparer.Ordinal);
        var processes = new HashSet<string>(StringComparer.Ordinal);
        string? section = null;
        foreach (var line in _current.Skip(1))
        {
            if (!line.StartsWith("   ", StringComparison.Ordinal))
            {
                section = line.TrimStart().StartsWith("topics", StringComparison.Ordinal) ? "topics"
                    : line.TrimStart().StartsWith("processes", StringComparison.Ordinal) ? "processes" : null;
                continue;
            }
            if (section == "topics" && TopicLine().Match(line) is { Success: true } topic)
            {
                topics[topic.Groups["name"].Value] = double.Parse(topic.Groups["rate"].Value, CultureInfo.InvariantCulture);
                kilobytes[topic.Groups["name"].Value] = double.Parse(topic.Groups["kb"].Value, CultureInfo.InvariantCulture);
            }
            else if (section == "processes" && ProcessLine().Match(line) is { Success: true } process)
                processes.Add(process.Groups["name"].Value);
        }
        _completed.Add(new PlainReport(topics, kilobytes, processes, string.Join('\n', _current)));
        _current = null;
        return true;
    }

    // "   cv ....................   15.0 msgs/s  15009.7 kB/s": the name, dots to a column, the rate.
    [GeneratedRegex(@"^ {3}(?<name>\S.*?) \.+ +(?<rate>\d+(\.\d+)?) msgs/s +(?<kb>\d+(\.\d+)?) kB/s")]
    private static partial Regex TopicLine();

    // "   camera ........ pid 123" or "   [123] camera ....... CPU ...".
    [GeneratedRegex(@"^ {3}(\[\d+\] )?(?<name>\S.*?) \.+ ")]
    private static partial Regex ProcessLine();
}
