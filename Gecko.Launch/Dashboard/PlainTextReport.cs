using System.Globalization;
using System.Text;
using Gecko.Core.Routing;

namespace Gecko.Launch.Dashboard;

/// <summary>The hub report as plain text, one block per interval, as pygecko's core printed it.</summary>
public static class PlainTextReport
{
    private const int NameWidth = 28;

    /// <summary>Formats <paramref name="stats"/>.</summary>
    /// <param name="stats">The snapshot.</param>
    /// <param name="inAddress">The hub's in endpoint.</param>
    /// <param name="outAddress">The hub's out endpoint.</param>
    public static string Format(HubStats stats, string inAddress, string outAddress)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"== GeckoCore [{Environment.ProcessId}]  up {stats.Uptime:d\\.hh\\:mm\\:ss}  in {inAddress}  out {outAddress}\n");
        text.Append(c, $" hub: CPU {stats.Hub.CpuPercent,5:0.0}%  Memory {stats.Hub.MemoryPercent,4:0.0}% ({stats.Hub.ResidentBytes / 1e6:0.0} MB)\n");
        text.Append(c, $" messages: {stats.TotalMessages} total  {stats.MessagesPerSecond:0.0} msgs/s  {stats.TotalBytes / 1e3:0.0} kB  malformed {stats.MalformedTotal}\n");
        if (stats.Topics.Count == 0) text.Append(" topics: none yet\n");
        else
        {
            text.Append(c, $" topics ({stats.Topics.Count}):\n");
            foreach (var topic in stats.Topics)
                text.Append(c, $"   {Dotted(topic.Topic)} {topic.MessagesPerSecond,10:0.0} msgs/s {topic.BytesPerSecond / 1e3,10:0.0} kB/s\n");
        }
        if (stats.Processes.Count > 0)
        {
            text.Append(c, $" processes ({stats.Processes.Count}):\n");
            foreach (var process in stats.Processes)
                text.Append(c, $"   {Dotted(process.Name)} pid {process.Pid}\n");
        }
        return text.ToString();
    }

    /// <summary>A name padded with dots to a fixed width, as pygecko aligned its columns.</summary>
    public static string Dotted(string name) =>
        name.Length >= NameWidth ? name[..(NameWidth - 1)] + "…" : name + " " + new string('.', NameWidth - name.Length - 1);
}
