using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gecko.Launch.Bench.Reporting;

/// <summary>Writes a <see cref="BenchReport"/> as aligned text, as a Markdown table, or as JSON.</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The report as JSON.</summary>
    public static string ToJson(BenchReport report) => JsonSerializer.Serialize(report, Json);

    /// <summary>The report as tables, one per section, with a header describing the machine.</summary>
    public static string ToText(BenchReport report, bool markdown)
    {
        var text = new StringBuilder();
        var m = report.Machine;
        text.AppendLine($"gecko bench: {m.Cores} cores ({m.Cpu}), {m.Os}, {m.Runtime}, {m.Gc}");
        text.AppendLine($"  {m.Transport}; endpoints: {m.Endpoints}; median of {report.Runs} run(s), {report.DurationSeconds:0.##} s each after {report.WarmupSeconds:0.##} s warm-up");
        text.AppendLine($"  load average before {m.LoadBefore}, after {m.LoadAfter}");
        text.AppendLine("  ratios are gecko / baseline: above 1 is better for rates, below 1 is better for latency, CPU and memory");
        text.AppendLine();

        var subjects = report.Rows.SelectMany(r => r.Values.Keys).Distinct().ToHashSet();
        var hubColumns = new[] { "gecko" }.Concat(BenchReport.Baselines)
            .Where(s => s != Scenarios.InProcessScenarios.AkkaTell && s != Scenarios.ClusterScenarios.OneHub && subjects.Contains(s)).ToArray();
        var hubRows = report.Rows.Where(r => Section(r) == ScenarioSection.Hub).ToArray();
        if (hubRows.Length > 0) Table(text, "hubs, external endpoints over loopback tcp", hubRows, hubColumns, markdown);
        var inProcessRows = report.Rows.Where(r => Section(r) == ScenarioSection.InProcess).ToArray();
        if (inProcessRows.Length > 0)
        {
            var columns = new[] { "gecko", Scenarios.InProcessScenarios.AkkaTell }.Where(subjects.Contains).ToArray();
            Table(text, "in process", inProcessRows, columns, markdown);
        }
        var clusterRows = report.Rows.Where(r => Section(r) == ScenarioSection.Cluster).ToArray();
        if (clusterRows.Length > 0)
        {
            var columns = new[] { "gecko", Scenarios.ClusterScenarios.OneHub }.Where(subjects.Contains).ToArray();
            Table(text, "between two cluster hosts (gecko), against one hub", clusterRows, columns, markdown);
        }
        foreach (var note in report.Notes) text.AppendLine($"note: {note}");
        return text.ToString();
    }

    private static ScenarioSection Section(BenchRow row) =>
        ScenarioCatalog.All.FirstOrDefault(s => s.Id == row.Scenario)?.Section ?? ScenarioSection.Hub;

    private static void Table(StringBuilder text, string title, IReadOnlyList<BenchRow> rows, string[] subjects, bool markdown)
    {
        var ratioColumns = subjects.Where(s => s != "gecko").Select(s => $"gecko/{s}").Where(r => rows.Any(row => row.Ratios.ContainsKey(r))).ToArray();
        var header = new[] { "scenario", "metric" }.Concat(subjects).Concat(ratioColumns.Select(r => r.Replace("gecko/", "÷ ", StringComparison.Ordinal))).ToArray();
        var table = new List<string[]> { header };
        string? previous = null;
        foreach (var row in rows)
        {
            var cells = new List<string> { row.Scenario == previous && !markdown ? "" : row.Scenario, row.Metric + (row.Better == Better.Lower ? " ↓" : " ↑") };
            previous = row.Scenario;
            cells.AddRange(subjects.Select(s => row.Values.TryGetValue(s, out var v) ? Format(row.Metric, v.Median) : "—"));
            cells.AddRange(ratioColumns.Select(r => row.Ratios.TryGetValue(r, out var ratio) ? $"{ratio:0.00}×" : ""));
            table.Add(cells.ToArray());
        }

        text.AppendLine(markdown ? $"**{title}**" : title);
        if (markdown) text.AppendLine();
        var widths = Enumerable.Range(0, header.Length).Select(c => table.Max(r => r[c].Length)).ToArray();
        for (var i = 0; i < table.Count; i++)
        {
            var cells = table[i].Select((cell, c) => c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]));
            text.AppendLine(markdown ? $"| {string.Join(" | ", cells)} |" : "  " + string.Join("  ", cells).TrimEnd());
            if (i == 0) text.AppendLine(markdown
                ? $"|{string.Join("|", widths.Select((w, c) => c < 2 ? new string('-', w + 2) : new string('-', w + 1) + ":"))}|"
                : "  " + string.Join("  ", widths.Select(w => new string('-', w))));
        }
        text.AppendLine();
    }

    /// <summary>A value for a human: thousands as k, millions as M; latency, memory and percentages as they are.</summary>
    public static string Format(string metric, double value)
    {
        if (double.IsNaN(value)) return "—";
        var c = CultureInfo.InvariantCulture;
        if (metric.EndsWith("/s", StringComparison.Ordinal) && metric != "MB/s")
            return value >= 1e6 ? (value / 1e6).ToString("0.00", c) + " M" : value >= 1e4 ? (value / 1e3).ToString("0", c) + " k" : value.ToString("0", c);
        if (metric is "lost" or "out of order") return value.ToString("0", c);
        return value >= 100 ? value.ToString("0", c) : value >= 10 ? value.ToString("0.0", c) : value.ToString("0.00", c);
    }
}
