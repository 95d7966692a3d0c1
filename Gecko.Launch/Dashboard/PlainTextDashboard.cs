using Gecko.Core.Routing;

namespace Gecko.Launch.Dashboard;

/// <summary>The dashboard for logs and pipes: one plain-text block per interval, process lines as they come.</summary>
public sealed class PlainTextDashboard(TextWriter output, DashboardHeader header, bool quiet = false) : IDashboard
{
    private readonly object _gate = new();

    /// <inheritdoc />
    public void Show(HubStats stats)
    {
        if (quiet) return;
        Write(PlainTextReport.Format(stats, header));
    }

    /// <inheritdoc />
    public void ProcessLine(string process, string line, bool isError) => Write($"[{process}] {line}\n");

    /// <inheritdoc />
    public void Event(string text) => Write($"gecko: {text}\n");

    private void Write(string text)
    {
        lock (_gate)
        {
            output.Write(text);
            output.Flush();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
