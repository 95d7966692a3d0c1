using Gecko.Core.Routing;

namespace Gecko.Launch.Dashboard;

/// <summary>What the dashboard shows besides the hub's stats: where it listens and what the launcher knows.</summary>
/// <param name="Title">The first line (e.g. "GeckoCore" or "gecko launch demo.conf").</param>
/// <param name="InAddress">The hub's in endpoint.</param>
/// <param name="OutAddress">The hub's out endpoint.</param>
public sealed record DashboardHeader(string Title, string InAddress, string OutAddress)
{
    /// <summary>The port other cluster hosts connect to, when the hub is in a cluster (its sockets are labelled <c>cluster</c>).</summary>
    public int? ClusterPort { get; init; }
}

/// <summary>Shows a report every interval: a live table on a terminal, plain text blocks otherwise.</summary>
public interface IDashboard : IAsyncDisposable
{
    /// <summary>Shows <paramref name="stats"/>.</summary>
    void Show(HubStats stats);

    /// <summary>Shows a line from a supervised process (the live view keeps the latest ones in a panel).</summary>
    void ProcessLine(string process, string line, bool isError);

    /// <summary>Shows a launcher event (a process started, exited, gave up).</summary>
    void Event(string text);
}
