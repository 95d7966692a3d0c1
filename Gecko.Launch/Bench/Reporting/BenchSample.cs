namespace Gecko.Launch.Bench.Reporting;

/// <summary>Which way a metric is good.</summary>
public enum Better
{
    /// <summary>More is better (rates).</summary>
    Higher,

    /// <summary>Less is better (latency, memory, CPU, loss).</summary>
    Lower,
}

/// <summary>One number measured once.</summary>
/// <param name="Scenario">The scenario id.</param>
/// <param name="Metric">What was measured, with its unit (e.g. <c>msgs/s</c>, <c>p99 µs</c>).</param>
/// <param name="Better">Which way is good.</param>
/// <param name="Subject">The hub (or in-process path) measured.</param>
/// <param name="Value">The number.</param>
public sealed record BenchSample(string Scenario, string Metric, Better Better, string Subject, double Value);
