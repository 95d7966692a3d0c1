using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Gecko.Testing;

/// <summary>A real child process whose output lines the test can wait for; killed on dispose if still running.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];
    private int _closedStreams;

    private ChildProcess(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Writer.TryWrite(e.Data); else StreamClosed(); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Writer.TryWrite("stderr: " + e.Data); else StreamClosed(); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every line read so far (for failure messages).</summary>
    public string Transcript => string.Join('\n', _seen);

    /// <summary>Runs a .NET program of the test's output folder (e.g. an example) with <paramref name="environment"/>.</summary>
    public static ChildProcess Dotnet(string dll, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return new ChildProcess(start);
    }

    /// <summary>Runs the <c>gecko</c> command of the test's output folder (tests that reference Gecko.Launch have it).</summary>
    public static ChildProcess Gecko(IEnumerable<string> args, IDictionary<string, string>? environment = null) =>
        Dotnet("gecko.dll", args, environment);

    /// <summary>Runs a script with Debian's Python, which has python3-zmq and python3-msgpack.</summary>
    public static ChildProcess Python(string script, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(DebianPython) { WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, script));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return new ChildProcess(start);
    }

    /// <summary>Runs any program with <paramref name="args"/> (no shell).</summary>
    public static ChildProcess Program(string program, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return new ChildProcess(start);
    }

    /// <summary>Debian's Python: the one with python3-zmq and python3-msgpack (a python3 earlier on PATH may lack them).</summary>
    public const string DebianPython = "/usr/bin/python3";

    /// <summary>Waits for a line matching <paramref name="match"/>; fails with the transcript after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(cancel.Token);
                _seen.Add(line);
                if (match(line)) return line;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No matching line within {timeout}. Output so far:\n{Transcript}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The process closed its output without a matching line. Output:\n{Transcript}");
        }
    }

    /// <summary>
    /// Waits until the process has exited and closed its output, and returns its exit code and every line it wrote
    /// (standard error lines prefixed with <c>stderr: </c>), including those already seen.
    /// </summary>
    public async Task<(int ExitCode, IReadOnlyList<string> Lines)> RunToEndAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(cancel.Token)) _seen.Add(line);
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The process did not finish within {timeout}. Output so far:\n{Transcript}");
        }
        return (_process.ExitCode, _seen.ToArray());
    }

    /// <summary>
    /// Waits for the process to exit and returns its exit code with every output line not read yet (stderr lines
    /// prefixed <c>stderr: </c>); fails with the transcript after <paramref name="timeout"/>.
    /// </summary>
    public async Task<(int ExitCode, IReadOnlyList<string> Lines)> WaitForExitWithOutputAsync(TimeSpan timeout)
    {
        try
        {
            var code = await WaitForExitAsync(timeout);
            var lines = new List<string>();
            while (_lines.Reader.TryRead(out var line)) lines.Add(line);
            _seen.AddRange(lines);
            return (code, lines);
        }
        catch (OperationCanceledException)
        {
            while (_lines.Reader.TryRead(out var line)) _seen.Add(line);
            throw new TimeoutException($"The process did not exit within {timeout}. Output so far:\n{Transcript}");
        }
    }

    /// <summary>
    /// A line matching <paramref name="match"/> among those already read, else the next one that comes: for waits on
    /// several lines that may come in any order (other waits read past them).
    /// </summary>
    public Task<string> WaitForLineSeenOrNewAsync(Func<string, bool> match, TimeSpan timeout) =>
        _seen.FirstOrDefault(match) is { } seen ? Task.FromResult(seen) : WaitForLineAsync(match, timeout);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a line matching <paramref name="match"/>; null when none came (for
    /// handshakes that act between short waits, e.g. publish a probe until the child says it received one).
    /// </summary>
    public async Task<string?> TryWaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(cancel.Token);
                _seen.Add(line);
                if (match(line)) return line;
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Sends <paramref name="signal"/> (e.g. 15 = SIGTERM) to the process.</summary>
    public void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    private void StreamClosed()
    {
        // Standard output and standard error each end with a null line; after both, nothing more can come.
        if (Interlocked.Increment(ref _closedStreams) == 2) _lines.Writer.TryComplete();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
