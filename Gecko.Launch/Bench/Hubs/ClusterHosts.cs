using System.Diagnostics;
using System.Text.RegularExpressions;
using Gecko.Launch.Launching;

namespace Gecko.Launch.Bench.Hubs;

/// <summary>
/// Two gecko hosts in a cluster for the bench: <c>gecko core --cluster</c> processes on OS-chosen loopback ports, the
/// second joining the first; ready once each has seen the other up.
/// </summary>
internal sealed partial class ClusterHosts : IAsyncDisposable
{
    private readonly Host[] _hosts;

    private ClusterHosts(Host a, Host b) => _hosts = [a, b];

    /// <summary>The first host (it started the cluster).</summary>
    public Host A => _hosts[0];

    /// <summary>The second host.</summary>
    public Host B => _hosts[1];

    /// <summary>Starts both hosts and waits until each sees the other up.</summary>
    /// <exception cref="BenchException">A host did not start or join within <paramref name="timeout"/>.</exception>
    public static async Task<ClusterHosts> StartAsync(string tempDirectory, TimeSpan timeout)
    {
        var a = Host.Start("a", tempDirectory, seed: null);
        Host? b = null;
        try
        {
            await a.ReadyAsync(timeout);
            b = Host.Start("b", tempDirectory, a.HostPort);
            await b.ReadyAsync(timeout);
            await a.SeesUpAsync(b.Address, timeout);
            await b.SeesUpAsync(a.Address, timeout);
            return new ClusterHosts(a, b);
        }
        catch
        {
            await a.DisposeAsync();
            if (b is not null) await b.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops both hosts (SIGINT: they leave the cluster), killing one that does not stop within 10 s.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts.Reverse()) await host.DisposeAsync();
    }

    /// <summary>One <c>gecko core --cluster</c> process.</summary>
    internal sealed class Host : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _name;
        private readonly List<string> _lines = [];
        private readonly SemaphoreSlim _changed = new(0);

        private Host(Process process, string name)
        {
            _process = process;
            _name = name;
        }

        /// <summary>Where publishers connect.</summary>
        public string InAddress { get; private set; } = "";

        /// <summary>Where subscribers connect.</summary>
        public string OutAddress { get; private set; } = "";

        /// <summary>The cluster address.</summary>
        public string Address { get; private set; } = "";

        /// <summary>The address as a seed, host:port.</summary>
        public string HostPort => Address["akka.tcp://gecko@".Length..];

        public static Host Start(string name, string tempDirectory, string? seed)
        {
            var (program, arguments) = GeckoExecutable.Resolve();
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            foreach (var argument in new[] { "core", "--quiet", "--in", "tcp://127.0.0.1:0", "--out", "tcp://127.0.0.1:0",
                         "--key", $"gecko-bench-{name}-{Environment.ProcessId}", "--cluster-port", "0" })
                start.ArgumentList.Add(argument);
            if (seed is not null)
            {
                start.ArgumentList.Add("--cluster-seed");
                start.ArgumentList.Add(seed);
            }
            start.Environment["TMPDIR"] = tempDirectory;
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var host = new Host(process, name);
            process.OutputDataReceived += (_, e) => host.OnLine(e.Data);
            process.ErrorDataReceived += (_, e) => host.OnLine(e.Data is null ? null : "stderr: " + e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return host;
        }

        public async Task ReadyAsync(TimeSpan timeout)
        {
            var started = await LineAsync(l => l.StartsWith("GeckoCore started:", StringComparison.Ordinal), timeout);
            var addresses = StartLine().Match(started);
            InAddress = addresses.Groups["in"].Value;
            OutAddress = addresses.Groups["out"].Value;
            Address = ClusterLine().Match(await LineAsync(l => ClusterLine().IsMatch(l), timeout)).Groups["address"].Value;
        }

        public Task SeesUpAsync(string address, TimeSpan timeout) =>
            LineAsync(l => l.StartsWith("gecko: cluster: ", StringComparison.Ordinal) && l.Contains(address + " ", StringComparison.Ordinal) && l.EndsWith("is up", StringComparison.Ordinal), timeout);

        private async Task<string> LineAsync(Func<string, bool> match, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                lock (_lines)
                {
                    if (_lines.FirstOrDefault(match) is { } line) return line;
                }
                if (_process.HasExited) throw new BenchException($"cluster host {_name} exited with code {_process.ExitCode}: {Transcript()}");
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !await _changed.WaitAsync(left))
                    throw new BenchException($"cluster host {_name} was not ready within {timeout.TotalSeconds:0} s: {Transcript()}");
            }
        }

        private void OnLine(string? line)
        {
            if (line is null) return;
            lock (_lines)
            {
                _lines.Add(line);
                if (_lines.Count > 200) _lines.RemoveAt(0);
            }
            _changed.Release();
        }

        private string Transcript()
        {
            lock (_lines) return string.Join('\n', _lines.TakeLast(20));
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!_process.HasExited)
                {
                    Processes.Signals.Send(_process.Id, Processes.Signals.SigInt);
                    using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    try
                    {
                        await _process.WaitForExitAsync(wait.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        _process.Kill(entireProcessTree: true);
                        await _process.WaitForExitAsync(CancellationToken.None);
                    }
                }
            }
            catch (InvalidOperationException) { }
            _process.Dispose();
            _changed.Dispose();
        }
    }

    [GeneratedRegex(@"^GeckoCore started: in (?<in>\S+)\s+out (?<out>\S+)\s")]
    private static partial Regex StartLine();

    [GeneratedRegex(@"^cluster: this host is (?<address>akka\.tcp://gecko@[0-9.]+:\d+)")]
    private static partial Regex ClusterLine();
}
