using Gecko.Launch.Bench.Hubs;

namespace Gecko.Launch.Bench.Reporting;

/// <summary>The machine a report was measured on.</summary>
/// <param name="Cores">Logical processors.</param>
/// <param name="Cpu">The CPU model.</param>
/// <param name="Os">The operating system.</param>
/// <param name="Runtime">The .NET runtime.</param>
/// <param name="Gc">The garbage collector the bench and its hubs run with.</param>
/// <param name="LoadBefore">Load averages (1, 5, 15 min) before the first run.</param>
/// <param name="LoadAfter">Load averages after the last run.</param>
/// <param name="Transport">How endpoints reach the hubs.</param>
/// <param name="Endpoints">The load generators.</param>
public sealed record MachineInfo(int Cores, string Cpu, string Os, string Runtime, string Gc, string LoadBefore, string LoadAfter, string Transport, string Endpoints);

/// <summary>One number over all runs.</summary>
/// <param name="Median">The median of the runs.</param>
/// <param name="Runs">Each run's value.</param>
public sealed record BenchValue(double Median, IReadOnlyList<double> Runs);

/// <summary>One row of the report: a metric of a scenario for every subject, with ratios to the baselines.</summary>
/// <param name="Scenario">The scenario id.</param>
/// <param name="Description">What the scenario does.</param>
/// <param name="Metric">The metric and its unit.</param>
/// <param name="Better">Which way is good.</param>
/// <param name="Values">Per subject (hub or in-process path).</param>
/// <param name="Ratios">Gecko's median over each baseline's (<c>gecko/zmq_proxy</c> ...), for rates, latency, CPU and memory.</param>
public sealed record BenchRow(string Scenario, string Description, string Metric, Better Better,
    IReadOnlyDictionary<string, BenchValue> Values, IReadOnlyDictionary<string, double> Ratios);

/// <summary>What <c>gecko bench</c> measured.</summary>
/// <param name="Machine">Where.</param>
/// <param name="Runs">How many runs each median is over.</param>
/// <param name="DurationSeconds">Seconds per measurement.</param>
/// <param name="WarmupSeconds">Seconds of warm-up before each.</param>
/// <param name="Rows">The results.</param>
/// <param name="Notes">What could not be measured, and why.</param>
public sealed record BenchReport(MachineInfo Machine, int Runs, double DurationSeconds, double WarmupSeconds,
    IReadOnlyList<BenchRow> Rows, IReadOnlyList<string> Notes)
{
    /// <summary>The subjects Gecko is compared with, in column order.</summary>
    public static readonly IReadOnlyList<string> Baselines =
        [.. HubNames.All.Where(h => h != HubKind.Gecko).Select(HubNames.Name), Scenarios.InProcessScenarios.AkkaTell, Scenarios.ClusterScenarios.OneHub];

    /// <summary>Builds the rows from every sample of every run, in scenario catalog order.</summary>
    public static IReadOnlyList<BenchRow> Aggregate(IEnumerable<BenchSample> samples)
    {
        var order = ScenarioCatalog.All.Select((s, i) => (s.Id, i)).ToDictionary(p => p.Id, p => p.i);
        var rows = new List<BenchRow>();
        foreach (var group in samples.GroupBy(s => (s.Scenario, s.Metric)).OrderBy(g => order.GetValueOrDefault(g.Key.Scenario, int.MaxValue)))
        {
            var values = group.GroupBy(s => s.Subject).ToDictionary(g => g.Key, g => new BenchValue(Median(g.Select(s => s.Value)), g.Select(s => s.Value).ToArray()));
            var ratios = new Dictionary<string, double>();
            var countsLoss = group.Key.Metric is "lost" or "out of order";
            if (!countsLoss && values.TryGetValue("gecko", out var gecko))
                foreach (var baseline in Baselines)
                    if (values.TryGetValue(baseline, out var other) && other.Median > 0) ratios[$"gecko/{baseline}"] = gecko.Median / other.Median;
            var description = ScenarioCatalog.All.FirstOrDefault(s => s.Id == group.Key.Scenario)?.Description ?? "";
            rows.Add(new BenchRow(group.Key.Scenario, description, group.Key.Metric, group.First().Better, values, ratios));
        }
        return rows;
    }

    /// <summary>The median (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
