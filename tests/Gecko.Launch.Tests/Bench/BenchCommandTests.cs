using System.Diagnostics;
using System.Text.Json;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Bench;

/// <summary>
/// <c>gecko bench</c> as a real child process with a tiny budget: the shape of its output and its exit code, not speed
/// (speed is what the bench itself reports).
/// </summary>
public sealed class BenchCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    private static bool PythonHasZmq
    {
        get
        {
            using var python = Process.Start(new ProcessStartInfo(ChildProcess.DebianPython, ["-c", "import zmq"]) { RedirectStandardError = true });
            return python is not null && python.WaitForExit(30_000) && python.ExitCode == 0;
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var bench = ChildProcess.Gecko(["bench", .. args]);
        var (code, lines) = await bench.WaitForExitWithOutputAsync(Timeout);
        var stdout = string.Join('\n', lines.Where(l => !l.StartsWith("stderr: ", StringComparison.Ordinal)));
        var stderr = string.Join('\n', lines.Where(l => l.StartsWith("stderr: ", StringComparison.Ordinal)));
        return (code, stdout, stderr);
    }

    [Fact]
    public async Task Bench_TinyBudgetAsJson_ReportsEveryHubWithRatiosAndExitsZero()
    {
        var (code, stdout, stderr) = await RunAsync("-s", "throughput-64b,rtt-rate,inproc-1to1", "--duration", "0.2", "--warmup", "0.05", "--json");

        Assert.True(code == 0, $"exit code {code}\n{stderr}\n{stdout}");
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("machine").GetProperty("cores").GetInt32() >= 1);
        var rows = root.GetProperty("rows").EnumerateArray().ToArray();

        var throughput = rows.Single(r => r.GetProperty("scenario").GetString() == "throughput-64b" && r.GetProperty("metric").GetString() == "msgs/s");
        var values = throughput.GetProperty("values");
        foreach (var hub in new[] { "gecko", "netmq-loop", "netmq-loop-noclock" })
            Assert.True(values.GetProperty(hub).GetProperty("median").GetDouble() > 0, $"{hub} routed nothing: {throughput}");
        Assert.True(throughput.GetProperty("ratios").TryGetProperty("gecko/netmq-loop-noclock", out _), throughput.ToString());
        if (PythonHasZmq)
            Assert.True(throughput.GetProperty("ratios").GetProperty("gecko/zmq_proxy").GetDouble() > 0, throughput.ToString());
        else
            Assert.Contains(root.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("zmq_proxy skipped"));

        var lost = rows.Single(r => r.GetProperty("scenario").GetString() == "throughput-64b" && r.GetProperty("metric").GetString() == "lost");
        Assert.True(lost.GetProperty("values").GetProperty("gecko").GetProperty("median").GetDouble() >= 0);

        var p50 = rows.Single(r => r.GetProperty("scenario").GetString() == "rtt-rate" && r.GetProperty("metric").GetString() == "p50 µs");
        Assert.True(p50.GetProperty("values").GetProperty("gecko").GetProperty("median").GetDouble() > 0);

        var inProcess = rows.Single(r => r.GetProperty("scenario").GetString() == "inproc-1to1" && r.GetProperty("metric").GetString() == "deliveries/s");
        Assert.True(inProcess.GetProperty("ratios").TryGetProperty("gecko/akka-tell", out var ratio) && ratio.GetDouble() > 0, inProcess.ToString());
        Assert.Contains("[run 1/1]", stderr);
    }

    [Fact]
    public async Task Bench_TwoHubsAsText_PrintsTableWithRatioColumnAndExitsZero()
    {
        var (code, stdout, stderr) = await RunAsync("-s", "throughput-1k", "--hubs", "gecko,netmq-loop", "--duration", "0.2", "--warmup", "0");

        Assert.True(code == 0, $"exit code {code}\n{stderr}\n{stdout}");
        Assert.Contains("2 cores", stdout.Replace(Environment.ProcessorCount + " cores", "2 cores"));
        var header = stdout.Split('\n').Single(l => l.TrimStart().StartsWith("scenario", StringComparison.Ordinal));
        Assert.Contains("gecko", header);
        Assert.Contains("÷ netmq-loop", header);
        Assert.DoesNotContain("zmq_proxy", header);
        Assert.Matches(@"throughput-1k\s+msgs/s ↑\s+\S+ ?k?\s+\S+ ?k?\s+\d+\.\d\d×", stdout);
    }

    [Theory]
    [InlineData("--scenario", "no-such-scenario", "no scenario matches 'no-such-scenario'")]
    [InlineData("--hubs", "gecko,mosquitto", "'mosquitto' is not a hub")]
    [InlineData("--runs", "0", "--runs 0 is out of range")]
    public async Task Bench_BadArgument_SaysWhatIsWrongAndExitsNonZero(string option, string? value, string message)
    {
        var (code, stdout, stderr) = await RunAsync(value is null ? [option] : [option, value]);

        Assert.NotEqual(0, code);
        Assert.Contains(message, stderr + stdout);
        Assert.DoesNotContain("[run 1/", stderr);
    }
}
