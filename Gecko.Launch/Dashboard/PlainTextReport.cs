using System.Globalization;
using System.Text;
using Gecko.Core.Routing;

namespace Gecko.Launch.Dashboard;

/// <summary>The hub report as plain text, one block per interval, in the columns pygecko's core printed.</summary>
public static class PlainTextReport
{
    private const int NameWidth = 28;

    /// <summary>Formats <paramref name="stats"/> under <paramref name="header"/>.</summary>
    public static string Format(HubStats stats, DashboardHeader header)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"== {header.Title}  up {ReportLines.Uptime(stats.Uptime)}  in {header.InAddress}  out {header.OutAddress}\n");
        text.Append(c, $" hub: CPU {stats.Hub.CpuPercent,5:0.0}%  memory {stats.Hub.MemoryPercent,4:0.0}%  {ReportLines.Megabytes(stats.Hub.ResidentBytes)}  {stats.Hub.Threads} threads\n");
        text.Append(c, $" messages: {stats.TotalMessages} total  {stats.MessagesPerSecond:0.0} msgs/s  {stats.TotalBytes / 1e3:0.0} kB  malformed {ReportLines.Malformed(stats)}  dropped {ReportLines.Dropped(stats)}\n");

        var established = ReportLines.Established(stats);
        text.Append(c, $" connections: listening {ReportLines.Listening(stats, header)}; {established.Count} established\n");
        foreach (var connection in established.Take(ReportLines.MaxConnectionLines))
            text.Append(c, $"   {ReportLines.EndpointRole(connection, header),-3} {connection.Local} <- {connection.Remote}\n");
        if (established.Count > ReportLines.MaxConnectionLines)
            text.Append(c, $"   … and {established.Count - ReportLines.MaxConnectionLines} more\n");

        if (stats.Topics.Count == 0) text.Append(" topics: none yet\n");
        else
        {
            text.Append(c, $" topics ({stats.Topics.Count}):\n");
            foreach (var topic in stats.Topics)
            {
                text.Append(c, $"   {Dotted(topic.Topic)} {topic.MessagesPerSecond,6:0.0} msgs/s {topic.BytesPerSecond / 1e3,8:0.0} kB/s{(topic.Dropped > 0 ? $"  dropped {topic.Dropped}" : "")}{(topic.PublisherDropped > 0 ? $"  lost at publishers {topic.PublisherDropped}" : "")}");
                if (stats.Cluster is not null) text.Append("  ").Append(ReportLines.ClusterTraffic(topic.Cluster));
                text.Append('\n');
            }
        }

        if (stats.Cluster is { } cluster)
        {
            text.Append(c, $" cluster: {ReportLines.ClusterSummary(cluster)}\n");
            foreach (var member in cluster.Members) text.Append(c, $"   {ReportLines.MemberLine(member)}\n");
        }

        if (stats.Processes.Count == 0) text.Append(" processes: none registered\n");
        else
        {
            text.Append(c, $" processes ({stats.Processes.Count}):\n");
            foreach (var process in stats.Processes)
            {
                var usage = process.Usage;
                text.Append(c, $"   {Dotted($"[{process.Pid}] {process.Name}")} CPU {usage.CpuPercent,5:0.0}%  memory {usage.MemoryPercent,4:0.0}%  {ReportLines.Megabytes(usage.ResidentBytes),9}  {usage.Threads} threads\n");
            }
        }
        return text.ToString();
    }

    /// <summary>A name padded with dots to a fixed width, as pygecko aligned its columns.</summary>
    public static string Dotted(string name) =>
        name.Length >= NameWidth ? name[..(NameWidth - 1)] + "…" : name + " " + new string('.', NameWidth - name.Length - 1);
}
