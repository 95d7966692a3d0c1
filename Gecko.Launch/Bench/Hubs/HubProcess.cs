using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Gecko.Core.Hub;
using Gecko.Launch.Bench.Measurement;
using Gecko.Launch.Launching;

namespace Gecko.Launch.Bench.Hubs;

/// <summary>
/// A hub under test in a process of its own, so that only the hub differs between runs of a scenario and its memory
/// and CPU can be read from /proc. Every hub prints one line with its bound endpoints when it is ready; the serving
/// kinds exit when their standard input closes, so none outlives the bench even if the bench is killed.
/// </summary>
internal sealed partial class HubProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();
    private readonly bool _stopWithSignal;
    private int _disposed;

    private HubProcess(HubKind kind, Process process, bool stopWithSignal)
    {
        Kind = kind;
        _process = process;
        _stopWithSignal = stopWithSignal;
        Probe = new ProcessProbe(process.Id);
    }

    /// <summary>Which hub.</summary>
    public HubKind Kind { get; }

    /// <summary>Where publishers connect.</summary>
    public string InAddress { get; private set; } = "";

    /// <summary>Where subscribers connect.</summary>
    public string OutAddress { get; private set; } = "";

    /// <summary>The line the hub printed when it was ready.</summary>
    public string ReadyLine { get; private set; } = "";

    /// <summary>Reads the hub process's memory and CPU.</summary>
    public ProcessProbe Probe { get; }

    /// <summary>The hub's last output lines (for error messages).</summary>
    public string Transcript
    {
        get
        {
            lock (_lastLines) return string.Join('\n', _lastLines);
        }
    }

    /// <summary>Whether Debian's python3 with python3-zmq is here to run <c>zmq_proxy</c>.</summary>
    public static bool PythonZmqAvailable => PythonCheck.Value;

    private static readonly Lazy<bool> PythonCheck = new(() =>
    {
        try
        {
            using var python = Process.Start(new ProcessStartInfo(PythonPath, ["-c", "import zmq"]) { RedirectStandardError = true, RedirectStandardOutput = true });
            if (python is null) return false;
            if (!python.WaitForExit(15_000))
            {
                python.Kill();
                return false;
            }
            return python.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    private const string PythonPath = "/usr/bin/python3";

    /// <summary>
    /// Starts <paramref name="kind"/> on OS-chosen loopback ports and waits for its ready line. With
    /// <paramref name="asUserRunsIt"/> the Gecko hub is the plain <c>gecko core</c> command (for cold start), otherwise
    /// the same hub under <c>gecko bench serve</c>, which also exits with the bench.
    /// </summary>
    public static async Task<HubProcess> StartAsync(HubKind kind, string tempDirectory, TimeSpan timeout, bool asUserRunsIt = false)
    {
        var settings = CoreSettings.Default;
        var (program, arguments) = GeckoExecutable.Resolve();
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var hwm = new[] { "--receive-hwm", settings.ReceiveHighWaterMark.ToString(), "--send-hwm", settings.SendHighWaterMark.ToString() };
        var stopWithSignal = false;
        switch (kind)
        {
            case HubKind.Gecko when asUserRunsIt:
                foreach (var a in new[] { "core", "--quiet", "--in", "tcp://127.0.0.1:0", "--out", "tcp://127.0.0.1:0", "--key", "gecko-bench" }) start.ArgumentList.Add(a);
                stopWithSignal = true;
                break;
            case HubKind.Gecko:
                foreach (var a in new[] { "bench", "serve", "gecko" }) start.ArgumentList.Add(a);
                break;
            case HubKind.NetMqLoop:
            case HubKind.NetMqLoopSlowClock:
                foreach (var a in new[] { "bench", "serve", HubNames.Name(kind) }.Concat(hwm)) start.ArgumentList.Add(a);
                break;
            case HubKind.ZmqProxy:
                start.FileName = PythonPath;
                start.ArgumentList.Clear();
                start.ArgumentList.Add("-u");
                start.ArgumentList.Add("-c");
                start.ArgumentList.Add(ProxyScript.Value);
                start.ArgumentList.Add(settings.ReceiveHighWaterMark.ToString());
                start.ArgumentList.Add(settings.SendHighWaterMark.ToString());
                break;
        }
        // The Gecko hub writes its core file into the temp directory: the bench's own, not the one real nodes read.
        start.Environment["TMPDIR"] = tempDirectory;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Start();
        var hub = new HubProcess(kind, process, stopWithSignal);
        process.OutputDataReceived += (_, e) => hub.OnLine(e.Data, ready);
        process.ErrorDataReceived += (_, e) => hub.OnLine(e.Data is null ? null : "stderr: " + e.Data, null);
        process.Exited += (_, _) => ready.TrySetException(new BenchException($"{HubNames.Name(kind)} exited with code {SafeExitCode(process)} before it was ready."));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var line = await ready.Task.WaitAsync(timeout);
            var match = ReadyPattern().Match(line);
            hub.InAddress = match.Groups[1].Value;
            hub.OutAddress = match.Groups[2].Value;
            hub.ReadyLine = line;
            return hub;
        }
        catch (Exception e) when (e is TimeoutException or BenchException)
        {
            var transcript = hub.Transcript;
            await hub.DisposeAsync();
            throw new BenchException($"{HubNames.Name(kind)} did not start within {timeout.TotalSeconds:0} s: {e.Message}\n{transcript}");
        }
    }

    private void OnLine(string? line, TaskCompletionSource<string>? ready)
    {
        if (line is null) return;
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            while (_lastLines.Count > 20) _lastLines.Dequeue();
        }
        if (ready is not null && ReadyPattern().IsMatch(line)) ready.TrySetResult(line);
    }

    private static int SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    /// <summary>Asks the hub to stop (stdin closed, or SIGINT for <c>gecko core</c>) and kills it if it does not within 5 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            if (!_process.HasExited)
            {
                if (_stopWithSignal) Processes.Signals.Send(_process.Id, Processes.Signals.SigInt);
                else _process.StandardInput.Close();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
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
        catch (IOException) { }
        _process.Dispose();
    }

    private static readonly Lazy<string> ProxyScript = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Gecko.Launch.Bench.zmq_proxy.py")
            ?? throw new BenchException("gecko is missing its embedded zmq_proxy.py; it was built wrongly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    [GeneratedRegex(@"\bin (tcp://\S+)\s+out (tcp://\S+)")]
    private static partial Regex ReadyPattern();
}
