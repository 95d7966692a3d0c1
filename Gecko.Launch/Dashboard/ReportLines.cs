using System.Globalization;
using Gecko.Core.Cluster;
using Gecko.Core.Monitoring;
using Gecko.Core.Routing;

namespace Gecko.Launch.Dashboard;

/// <summary>What both dashboards say about a snapshot, worded once: numbers, units and which hub endpoint a socket is.</summary>
public static class ReportLines
{
    /// <summary>At most this many established connections are listed one by one; the rest are counted.</summary>
    public const int MaxConnectionLines = 16;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Which of the hub's endpoints a socket belongs to: <c>in</c>, <c>out</c>, <c>cluster</c> or empty (another socket of the process).</summary>
    public static string EndpointRole(TcpConnection connection, DashboardHeader header) =>
        connection.Local.Port == PortOf(header.InAddress) ? "in"
        : connection.Local.Port == PortOf(header.OutAddress) ? "out"
        : connection.Local.Port == header.ClusterPort ? "cluster"
        : "";

    /// <summary>The listening sockets, each with its role: <c>127.0.0.1:9998 (in), 127.0.0.1:9999 (out)</c>.</summary>
    public static string Listening(HubStats stats, DashboardHeader header)
    {
        var listening = stats.Connections.Where(c => c.State == TcpState.Listen)
            .Select(c => EndpointRole(c, header) is { Length: > 0 } role ? $"{c.Local} ({role})" : c.Local.ToString()).ToArray();
        return listening.Length == 0 ? "none seen" : string.Join(", ", listening);
    }

    /// <summary>The established connections.</summary>
    public static IReadOnlyList<TcpConnection> Established(HubStats stats) =>
        stats.Connections.Where(c => c.State == TcpState.Established).ToArray();

    /// <summary>
    /// Messages dropped for slow subscribers: <c>0</c>, a count with the topics that lost most, e.g.
    /// <c>1520 (camera 1500, imu 20)</c>, or <c>not counted</c> when the hub cannot count them.
    /// </summary>
    public static string Dropped(HubStats stats)
    {
        if (!stats.DropsCounted) return "not counted";
        if (stats.TotalDropped == 0) return "0";
        var topics = stats.Topics.Where(t => t.Dropped > 0).OrderByDescending(t => t.Dropped).Take(3)
            .Select(t => string.Create(C, $"{t.Topic} {t.Dropped}")).ToArray();
        return string.Create(C, $"{stats.TotalDropped} ({string.Join(", ", topics)})");
    }

    /// <summary>Malformed messages with their reasons, e.g. <c>3 (WrongFrameCount 2, BadTopic 1)</c>.</summary>
    public static string Malformed(HubStats stats)
    {
        var reasons = stats.Malformed.Where(m => m.Value > 0).Select(m => string.Create(C, $"{m.Key} {m.Value}")).ToArray();
        return reasons.Length == 0 ? "0" : string.Create(C, $"{stats.MalformedTotal} ({string.Join(", ", reasons)})");
    }

    /// <summary>A topic's traffic with other hosts: <c>cluster in 0.0/s (0) out 50.0/s (1234)</c>, rates and totals.</summary>
    public static string ClusterTraffic(Core.Routing.ClusterTraffic traffic) =>
        string.Create(C, $"cluster in {traffic.InPerSecond:0.0}/s ({traffic.MessagesIn}) out {traffic.OutPerSecond:0.0}/s ({traffic.MessagesOut})");

    /// <summary>This host and the members: <c>akka.tcp://gecko@10.0.0.2:4053 (roles pi): 3 members, 3 up</c>.</summary>
    public static string ClusterSummary(ClusterState cluster) =>
        string.Create(C, $"{cluster.SelfAddress}{Roles(cluster.Roles)}: {cluster.Members.Count} member{(cluster.Members.Count == 1 ? "" : "s")}, {cluster.UpCount} up");

    /// <summary>One member: its state, address, roles, what it wants and what this host sent it.</summary>
    public static string MemberLine(ClusterMemberState member) =>
        string.Create(C, $"{MemberStatus(member),-11} {member.Address}{Roles(member.Roles)}{(member.IsSelf ? "  (this host)" : "")}  wants {member.InterestTopics} topic{(member.InterestTopics == 1 ? "" : "s")}, {member.InterestPrefixes} prefix{(member.InterestPrefixes == 1 ? "" : "es")}")
        + (member.IsSelf ? "" : string.Create(C, $"  sent {member.SentMessages} ({member.SentBytes / 1e3:0.0} kB) dropped {member.Dropped}  received {member.ReceivedMessages}"));

    /// <summary>A member's state in one word: up, unreachable, joining, leaving, exiting, down.</summary>
    public static string MemberStatus(ClusterMemberState member) =>
        !member.Reachable ? "unreachable" : member.Status == "WeaklyUp" ? "weakly-up" : member.Status.ToLowerInvariant();

    private static string Roles(IReadOnlyList<string> roles) => roles.Count == 0 ? "" : $" (roles {string.Join(", ", roles)})";

    /// <summary>Megabytes with one decimal.</summary>
    public static string Megabytes(long bytes) => (bytes / 1e6).ToString("0.0", C) + " MB";

    /// <summary>Uptime as <c>1d 02:03:04</c> or <c>02:03:04</c>.</summary>
    public static string Uptime(TimeSpan uptime) =>
        uptime.Days > 0 ? string.Create(C, $"{uptime.Days}d {uptime:hh\\:mm\\:ss}") : uptime.ToString("hh\\:mm\\:ss", C);

    private static int PortOf(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return colon >= 0 && int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, C, out var port) ? port : -1;
    }
}
