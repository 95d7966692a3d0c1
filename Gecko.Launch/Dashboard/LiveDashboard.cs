using System.Globalization;
using Gecko.Core.Routing;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gecko.Launch.Dashboard;

/// <summary>The dashboard on a terminal: a live view redrawn every interval, with the latest process output below it.</summary>
public sealed class LiveDashboard : IDashboard
{
    private const int RecentLines = 10;
    private static readonly TimeSpan OutputRefreshDelay = TimeSpan.FromMilliseconds(250);
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private readonly DashboardHeader _header;
    private readonly Queue<string> _recent = new();
    private readonly object _gate = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _live;
    private readonly Timer _outputRefresh;
    private HubStats? _stats;
    private LiveDisplayContext? _context;
    private bool _outputRefreshPending;

    /// <summary>Starts drawing on <paramref name="console"/>.</summary>
    public LiveDashboard(IAnsiConsole console, DashboardHeader header)
    {
        _header = header;
        _outputRefresh = new Timer(_ => RefreshAfterOutput());
        var started = new TaskCompletionSource();
        _live = console.Live(Render())
            .AutoClear(false)
            // Taller than the terminal: cut at the bottom (the process output), keep the numbers at the top.
            .Overflow(VerticalOverflow.Ellipsis)
            .Cropping(VerticalOverflowCropping.Bottom)
            .StartAsync(async context =>
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
        lock (_gate)
        {
            _stats = stats;
            Redraw();
        }
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
            // A chatty process must not make the whole view redraw for every line: at most a few times a second.
            if (_outputRefreshPending) return;
            _outputRefreshPending = true;
            _outputRefresh.Change(OutputRefreshDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private void RefreshAfterOutput()
    {
        lock (_gate)
        {
            _outputRefreshPending = false;
            Redraw();
        }
    }

    private void Redraw() => _context?.UpdateTarget(Render());

    private IRenderable Render()
    {
        var rows = new List<IRenderable>
        {
            new Markup($"[bold]{Markup.Escape(_header.Title)}[/]  in [blue]{Markup.Escape(_header.InAddress)}[/]  out [blue]{Markup.Escape(_header.OutAddress)}[/]"
                + (_stats is null ? "" : $"  up {ReportLines.Uptime(_stats.Uptime)}")),
        };
        if (_stats is { } stats)
        {
            rows.Add(new Markup(string.Create(C,
                $"[bold]hub[/]  CPU [green]{stats.Hub.CpuPercent:0.0}%[/]  memory {stats.Hub.MemoryPercent:0.0}% ({ReportLines.Megabytes(stats.Hub.ResidentBytes)}, {stats.Hub.Threads} threads)")));
            rows.Add(new Markup(string.Create(C,
                $"[bold]messages[/] {stats.TotalMessages:N0}  {stats.MessagesPerSecond:0.0} msgs/s  {stats.TotalBytes / 1e6:0.0} MB   "
                + $"[bold]malformed[/] {(stats.MalformedTotal > 0 ? "[red]" + Markup.Escape(ReportLines.Malformed(stats)) + "[/]" : "0")}   "
                + $"[bold]dropped[/] {(stats.TotalDropped > 0 || !stats.DropsCounted ? "[red]" + Markup.Escape(ReportLines.Dropped(stats)) + "[/]" : "0")}")));
            rows.Add(Topics(stats));
            if (stats.Cluster is not null) rows.Add(Cluster(stats.Cluster));
            rows.Add(Processes(stats));
            rows.Add(Connections(stats));
        }
        else
        {
            rows.Add(new Markup("[grey]waiting for the first report…[/]"));
        }
        if (_recent.Count > 0)
            rows.Add(new Panel(new Rows(_recent.Select(m => (IRenderable)new Markup(m)).ToArray())).Header("output").Border(BoxBorder.Rounded).Expand());
        return new Rows(rows);
    }

    private static Table Topics(HubStats stats)
    {
        var cluster = stats.Cluster is not null;
        var table = new Table().Border(TableBorder.Rounded).Title($"topics ({stats.Topics.Count})")
            .AddColumn("topic").AddColumn(new TableColumn("msgs/s").RightAligned()).AddColumn(new TableColumn("kB/s").RightAligned())
            .AddColumn(new TableColumn("messages").RightAligned()).AddColumn(new TableColumn("dropped").RightAligned())
            .AddColumn(new TableColumn("subscribers").RightAligned());
        if (cluster) table.AddColumn(new TableColumn("from cluster/s").RightAligned()).AddColumn(new TableColumn("to cluster/s").RightAligned());
        foreach (var topic in stats.Topics)
        {
            string[] cells = [Markup.Escape(topic.Topic), topic.MessagesPerSecond.ToString("0.0", C), (topic.BytesPerSecond / 1e3).ToString("0.0", C),
                topic.Messages.ToString("N0", C), Drops(topic),
                $"{topic.LocalSubscribers}{(topic.ExternalSubscribers ? " + ext" : "")}"];
            table.AddRow(cluster ? [.. cells, topic.Cluster.InPerSecond.ToString("0.0", C), topic.Cluster.OutPerSecond.ToString("0.0", C)] : cells);
        }
        if (stats.Topics.Count == 0) table.AddRow(cluster ? ["[grey]none yet[/]", "", "", "", "", "", "", ""] : ["[grey]none yet[/]", "", "", "", "", ""]);
        return table;
    }

    private static Table Cluster(Core.Cluster.ClusterState cluster)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"cluster: {ReportLines.ClusterSummary(cluster)}"))
            .AddColumn("member").AddColumn("state").AddColumn("roles").AddColumn(new TableColumn("wants").RightAligned())
            .AddColumn(new TableColumn("sent").RightAligned()).AddColumn(new TableColumn("dropped").RightAligned())
            .AddColumn(new TableColumn("received").RightAligned());
        foreach (var member in cluster.Members)
        {
            var state = ReportLines.MemberStatus(member);
            table.AddRow(Markup.Escape(member.Address) + (member.IsSelf ? " [grey](this host)[/]" : ""),
                state == "up" ? "[green]up[/]" : $"[red]{state}[/]", Markup.Escape(string.Join(", ", member.Roles)),
                $"{member.InterestTopics} + {member.InterestPrefixes} prefixes",
                member.IsSelf ? "" : member.SentMessages.ToString("N0", C), member.IsSelf ? "" : member.Dropped.ToString("N0", C),
                member.IsSelf ? "" : member.ReceivedMessages.ToString("N0", C));
        }
        return table;
    }

    /// <summary>Dropped by the hub, and lost at publishers when they announced any ("12 + 3 pub").</summary>
    private static string Drops(TopicStats topic)
    {
        var text = topic.Dropped.ToString("N0", C) + (topic.PublisherDropped > 0 ? $" + {topic.PublisherDropped.ToString("N0", C)} pub" : "");
        return topic.Dropped + topic.PublisherDropped > 0 ? $"[red]{text}[/]" : text;
    }

    private static Table Processes(HubStats stats)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"processes ({stats.Processes.Count})")
            .AddColumn("name").AddColumn(new TableColumn("pid").RightAligned()).AddColumn(new TableColumn("CPU %").RightAligned())
            .AddColumn(new TableColumn("memory %").RightAligned()).AddColumn(new TableColumn("RSS").RightAligned())
            .AddColumn(new TableColumn("threads").RightAligned());
        foreach (var process in stats.Processes)
        {
            var usage = process.Usage;
            table.AddRow(Markup.Escape(process.Name), process.Pid.ToString(C), usage.CpuPercent.ToString("0.0", C),
                usage.MemoryPercent.ToString("0.0", C), ReportLines.Megabytes(usage.ResidentBytes), usage.Threads.ToString(C));
        }
        if (stats.Processes.Count == 0) table.AddRow("[grey]none registered[/]", "", "", "", "", "");
        return table;
    }

    private IRenderable Connections(HubStats stats)
    {
        var established = ReportLines.Established(stats);
        // A line of its own: a table title would wrap at the table's width.
        var summary = new Markup($"[bold]connections[/]  listening {Markup.Escape(ReportLines.Listening(stats, _header))}; {established.Count} established");
        if (established.Count == 0) return summary;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("endpoint").AddColumn("hub side").AddColumn("peer");
        foreach (var connection in established.Take(ReportLines.MaxConnectionLines))
            table.AddRow(ReportLines.EndpointRole(connection, _header), Markup.Escape(connection.Local.ToString()), Markup.Escape(connection.Remote?.ToString() ?? ""));
        if (established.Count > ReportLines.MaxConnectionLines)
            table.AddRow("", $"[grey]… and {established.Count - ReportLines.MaxConnectionLines} more[/]", "");
        return new Rows(summary, table);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _outputRefresh.DisposeAsync();
        lock (_gate) Redraw(); // the last lines, before the view is left as it is
        _done.TrySetResult();
        await _live;
    }
}
