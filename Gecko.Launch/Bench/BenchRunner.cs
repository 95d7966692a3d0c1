using System.Runtime;
using System.Runtime.InteropServices;
using Gecko.Launch.Bench.Endpoints;
using Gecko.Launch.Bench.Hubs;
using Gecko.Launch.Bench.Measurement;
using Gecko.Launch.Bench.Reporting;
using Gecko.Launch.Bench.Scenarios;

namespace Gecko.Launch.Bench;

/// <summary>
/// Runs the selected scenarios <see cref="BenchOptions.Runs"/> times. Each run starts every hub under test in a
/// process of its own, runs each hub scenario against all of them back to back (in an order that rotates between
/// runs, so no hub always goes first), then the in-process scenarios; the report holds the median of each number.
/// </summary>
internal sealed class BenchRunner(BenchOptions options, TextWriter progress)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);
    private readonly List<BenchSample> _samples = [];
    private readonly List<string> _notes = [];

    /// <summary>Whether a Gecko measurement failed (the bench then exits non-zero).</summary>
    public bool GeckoFailed { get; private set; }

    /// <summary>Runs everything and returns the report.</summary>
    public async Task<BenchReport> RunAsync(CancellationToken token)
    {
        var loadBefore = LoadAverage();
        var hubs = AvailableHubs();
        var hubScenarios = options.Scenarios.Where(s => s.Section == ScenarioSection.Hub && s.Id is not ("hub-rss" or "cold-start")).ToArray();
        var measureMemory = options.Scenarios.Any(s => s.Id == "hub-rss");
        var coldStart = options.Scenarios.Any(s => s.Id == "cold-start");
        var inProcess = options.Scenarios.Where(s => s.Section == ScenarioSection.InProcess).ToArray();
        var cluster = options.Scenarios.Where(s => s.Section == ScenarioSection.Cluster).ToArray();
        using var temp = new BenchTempDirectory();

        for (var run = 1; run <= options.Runs && !token.IsCancellationRequested; run++)
        {
            var order = hubs.Skip((run - 1) % Math.Max(1, hubs.Count)).Concat(hubs.Take((run - 1) % Math.Max(1, hubs.Count))).ToArray();
            if (hubScenarios.Length > 0 || measureMemory) await RunHubScenariosAsync(run, order, hubScenarios, measureMemory, temp.Path, token);
            if (coldStart) await RunColdStartAsync(run, order.Where(h => h != HubKind.NetMqLoopSlowClock).ToArray(), temp.Path, token);
            if (inProcess.Length > 0) await RunInProcessAsync(run, inProcess, token);
            if (cluster.Length > 0) await RunClusterAsync(run, cluster, temp.Path, token);
        }

        var machine = new MachineInfo(Environment.ProcessorCount, CpuModel(), RuntimeInformation.OSDescription, $".NET {Environment.Version}",
            $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC{(GCSettings.LatencyMode == GCLatencyMode.Batch ? "" : ", concurrent")}",
            loadBefore, LoadAverage(), "loopback tcp (127.0.0.1), OS-chosen ports",
            options.Endpoints == EndpointKind.LibZmq ? "libzmq (C, called in-process), one thread per publisher and subscriber" : "NetMQ, one thread per publisher and subscriber");
        return new BenchReport(machine, options.Runs, options.Duration.TotalSeconds, options.Warmup.TotalSeconds, BenchReport.Aggregate(_samples), _notes);
    }

    private List<HubKind> AvailableHubs()
    {
        var hubs = options.Hubs.ToList();
        if (hubs.Contains(HubKind.ZmqProxy) && !HubProcess.PythonZmqAvailable)
        {
            hubs.Remove(HubKind.ZmqProxy);
            _notes.Add("zmq_proxy skipped: /usr/bin/python3 with python3-zmq is not installed (apt-get install python3-zmq)");
        }
        return hubs;
    }

    private async Task RunHubScenariosAsync(int run, HubKind[] order, ScenarioInfo[] scenarios, bool measureMemory, string temp, CancellationToken token)
    {
        var running = new List<HubProcess>();
        try
        {
            foreach (var kind in order)
            {
                try
                {
                    var hub = await HubProcess.StartAsync(kind, temp, BenchOptions.StartTimeout);
                    running.Add(hub);
                    Progress(run, $"{HubNames.Name(kind)}: {hub.ReadyLine}");
                }
                catch (BenchException e)
                {
                    Fail(kind == HubKind.Gecko, $"run {run}: {e.Message}");
                }
            }
            CheckSlowClock(running);
            if (measureMemory)
            {
                Thread.Sleep(Settle);
                foreach (var hub in running) Add("hub-rss", "idle RSS MB", Better.Lower, hub, hub.Probe.ResidentBytes() / 1e6);
            }

            var hubScenarios = new HubScenarios(options);
            foreach (var scenario in scenarios)
            {
                foreach (var hub in running)
                {
                    if (token.IsCancellationRequested) return;
                    try
                    {
                        var samples = hubScenarios.Run(scenario, hub);
                        _samples.AddRange(samples);
                        Progress(run, $"{scenario.Id} on {HubNames.Name(hub.Kind)}: {Summary(samples)}");
                    }
                    catch (BenchException e)
                    {
                        Fail(hub.Kind == HubKind.Gecko, $"run {run}: {scenario.Id} on {HubNames.Name(hub.Kind)} failed: {e.Message}");
                    }
                }
            }

            if (measureMemory)
            {
                foreach (var hub in running)
                {
                    Add("hub-rss", "RSS after run MB", Better.Lower, hub, hub.Probe.ResidentBytes() / 1e6);
                    Add("hub-rss", "peak RSS MB", Better.Lower, hub, hub.Probe.PeakResidentBytes() / 1e6);
                }
            }
        }
        finally
        {
            foreach (var hub in running) await hub.DisposeAsync();
        }
    }

    private void CheckSlowClock(IEnumerable<HubProcess> hubs)
    {
        var slow = hubs.FirstOrDefault(h => h.Kind == HubKind.NetMqLoopSlowClock);
        if (slow is not null && !slow.ReadyLine.Contains("as shipped", StringComparison.Ordinal) && !_notes.Any(n => n.StartsWith("netmq-loop-noclock", StringComparison.Ordinal)))
            _notes.Add("netmq-loop-noclock has a tick counter anyway (NetMQ found one of its own): it measures the same as netmq-loop");
    }

    private async Task RunColdStartAsync(int run, HubKind[] kinds, string temp, CancellationToken token)
    {
        foreach (var kind in kinds)
        {
            if (token.IsCancellationRequested) return;
            try
            {
                var elapsed = await ColdStart.MeasureAsync(kind, temp, options.Endpoints);
                _samples.Add(new BenchSample("cold-start", "to first message ms", Better.Lower, HubNames.Name(kind), elapsed.TotalMilliseconds));
                Progress(run, $"cold-start of {HubNames.Name(kind)}: {elapsed.TotalMilliseconds:0} ms");
            }
            catch (BenchException e)
            {
                Fail(kind == HubKind.Gecko, $"run {run}: cold start of {HubNames.Name(kind)} failed: {e.Message}");
            }
        }
    }

    private async Task RunInProcessAsync(int run, ScenarioInfo[] scenarios, CancellationToken token)
    {
        await using var inProcess = await InProcessScenarios.StartAsync(options);
        foreach (var scenario in scenarios)
        {
            if (token.IsCancellationRequested) return;
            try
            {
                var samples = await inProcess.RunAsync(scenario);
                _samples.AddRange(samples);
                Progress(run, $"{scenario.Id}: {Summary(samples)}");
            }
            catch (BenchException e)
            {
                Fail(true, $"run {run}: {scenario.Id} failed: {e.Message}");
            }
        }
    }

    private async Task RunClusterAsync(int run, ScenarioInfo[] scenarios, string tempDirectory, CancellationToken token)
    {
        ClusterHosts hosts;
        try
        {
            hosts = await ClusterHosts.StartAsync(tempDirectory, BenchOptions.StartTimeout);
        }
        catch (BenchException e)
        {
            Fail(true, $"run {run}: the cluster hosts did not start: {e.Message}");
            return;
        }
        await using (hosts)
        {
            var cluster = new ClusterScenarios(options);
            foreach (var scenario in scenarios)
            {
                if (token.IsCancellationRequested) return;
                try
                {
                    var samples = cluster.Run(scenario, hosts);
                    _samples.AddRange(samples);
                    Progress(run, $"{scenario.Id}: {Summary(samples)}");
                }
                catch (BenchException e)
                {
                    Fail(true, $"run {run}: {scenario.Id} failed: {e.Message}");
                }
            }
        }
    }

    private void Add(string scenario, string metric, Better better, HubProcess hub, double value)
    {
        if (value >= 0) _samples.Add(new BenchSample(scenario, metric, better, HubNames.Name(hub.Kind), value));
    }

    private void Fail(bool gecko, string message)
    {
        GeckoFailed |= gecko;
        _notes.Add(message);
        progress.WriteLine($"gecko bench: {message}");
    }

    private void Progress(int run, string line)
    {
        progress.WriteLine($"[run {run}/{options.Runs}] {line}");
        progress.Flush();
    }

    private static string Summary(IEnumerable<BenchSample> samples) =>
        string.Join(", ", samples.GroupBy(s => s.Subject).Select(g =>
            (g.Key == "gecko" ? "" : g.Key + " ") + string.Join(" ", g.Select(s => $"{ReportWriter.Format(s.Metric, s.Value)} {s.Metric}"))));

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    /// <summary>A temp directory for the hubs' core files, removed at the end.</summary>
    private sealed class BenchTempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("gecko-bench-").FullName;

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
