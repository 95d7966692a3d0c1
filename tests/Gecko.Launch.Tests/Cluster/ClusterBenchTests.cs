using System.Text.Json;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Cluster;

/// <summary><c>gecko bench</c>'s cluster scenarios with a tiny budget: two real hosts, both subjects measured, the shape of the report.</summary>
public sealed class ClusterBenchTests
{
    [Fact]
    public async Task Bench_ClusterScenarios_MeasureAcrossTwoHostsAgainstOneHub()
    {
        using var bench = ChildProcess.Gecko(["bench", "-s", "cluster-64b,cluster-rtt", "--duration", "0.3", "--warmup", "0.1", "--json"]);
        var (code, lines) = await bench.WaitForExitWithOutputAsync(TimeSpan.FromMinutes(4));
        var stdout = string.Join('\n', lines.Where(l => !l.StartsWith("stderr: ", StringComparison.Ordinal)));

        Assert.True(code == 0, $"exit code {code}\n{string.Join('\n', lines)}");
        using var json = JsonDocument.Parse(stdout);
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToArray();
        var throughput = rows.Single(r => r.GetProperty("scenario").GetString() == "cluster-64b" && r.GetProperty("metric").GetString() == "msgs/s");
        foreach (var subject in new[] { "gecko", "one-hub" })
            Assert.True(throughput.GetProperty("values").GetProperty(subject).GetProperty("median").GetDouble() > 0, $"{subject}: {throughput}");
        Assert.True(throughput.GetProperty("ratios").GetProperty("gecko/one-hub").GetDouble() > 0, throughput.ToString());
        var p50 = rows.Single(r => r.GetProperty("scenario").GetString() == "cluster-rtt" && r.GetProperty("metric").GetString() == "p50 µs");
        Assert.True(p50.GetProperty("values").GetProperty("gecko").GetProperty("median").GetDouble() > 0, p50.ToString());
    }
}
