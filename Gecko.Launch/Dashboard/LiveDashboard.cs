using System.Globalization;
using Gecko.Core.Routing;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gecko.Launch.Dashboard;

/// <summary>The dashboard on a terminal: a live table redrawn every interval, with the latest process output below it.</summary>
public sealed class LiveDashboard : IDashboard
{
    private const int RecentLines = 12;
    private readonly DashboardHeader _header;
    private readonly Queue<string> _recent = new();
    private readonly object _gate = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _live;
    private HubStats? _stats;
    private LiveDisplayContext? _context;

    /// <summary>Starts drawing on <paramref name="console"/>.</summary>
    public LiveDashboard(IAnsiConsole console, DashboardHeader header)
    {
        _header = header;
        var started = new TaskCompletionSource();
        _live = console.Live(Render()).AutoClear(false).StartAsync(async context =>
        {
            lock (_gate) _context = context;
            started.SetResult();
            await _done.Task;
        });
        started.Task.Wait(TimeSpan.FromSeconds(5));
    }

    /// <inheritdoc />
    public void Show(HubStats stats)
    {
        lock (_gate) _stats = stats;
        Refresh();
    }

    /// <inheritdoc />
    public void ProcessLine(string process, string line, bool isError) =>
        Remember($"[{(isError ? "red" : "grey")}]{Markup.Escape(process)}[/] {Markup.Escape(line)}");

    /// <inheritdoc />
    public void Event(string text) => Remember($"[yellow]gecko[/] {Markup.Escape(text)}");

    private void Remember(string markup)
    {
        lock (_gate)
        {
            _recent.Enqueue(markup);
            while (_recent.Count > RecentLines) _recent.Dequeue();
        }
        Refresh();
    }

    private void Refresh()
    {
        lock (_gate)
        {
            if (_context is null) return;
            _context.UpdateTarget(Render());
        }
    }

    private IRenderable Render()
    {
        var c = CultureInfo.InvariantCulture;
        var stats = _stats;
        var rows = new List<IRenderable>
        {
            new Markup($"[bold]{Markup.Escape(_header.Title)}[/]  in [blue]{Markup.Escape(_header.InAddress)}[/]  out [blue]{Markup.Escape(_header.OutAddress)}[/]"),
        };
        if (stats is not null)
        {
            rows.Add(new Markup(string.Create(c,
                $"hub: CPU [green]{stats.Hub.CpuPercent:0.0}%[/]  memory {stats.Hub.MemoryPercent:0.0}% ({stats.Hub.ResidentBytes / 1e6:0.0} MB)  up {stats.Uptime:d\\.hh\\:mm\\:ss}  messages {stats.TotalMessages:N0}  {stats.MessagesPerSecond:0.0} msgs/s  malformed {stats.MalformedTotal}")));
            var topics = new Table().Border(TableBorder.Rounded).Title("topics")
                .AddColumn("topic").AddColumn(new TableColumn("msgs/s").RightAligned()).AddColumn(new TableColumn("kB/s").RightAligned())
                .AddColumn(new TableColumn("messages").RightAligned()).AddColumn(new TableColumn("subscribers").RightAligned());
            foreach (var topic in stats.Topics)
                topics.AddRow(Markup.Escape(topic.Topic), topic.MessagesPerSecond.ToString("0.0", c), (topic.BytesPerSecond / 1e3).ToString("0.0", c),
                    topic.Messages.ToString("N0", c), $"{topic.LocalSubscribers}{(topic.ExternalSubscribers ? " + ext" : "")}");
            rows.Add(topics);
            var processes = new Table().Border(TableBorder.Rounded).Title("processes").AddColumn("name").AddColumn(new TableColumn("pid").RightAligned());
            foreach (var process in stats.Processes) processes.AddRow(Markup.Escape(process.Name), process.Pid.ToString(c));
            rows.Add(processes);
        }
        else
        {
            rows.Add(new Markup("[grey]waiting for the first report…[/]"));
        }
        lock (_gate)
        {
            if (_recent.Count > 0) rows.Add(new Panel(new Rows(_recent.Select(m => (IRenderable)new Markup(m)))).Header("output").Border(BoxBorder.Rounded));
        }
        return new Rows(rows);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _done.TrySetResult();
        await _live;
    }
}
