using System.Diagnostics.Metrics;
using Gecko.Core.Monitoring;
using Gecko.Core.Routing;

namespace Gecko.Core.Introspection;

/// <summary>
/// The hub's <see cref="System.Diagnostics.Metrics"/> instruments on the meter <see cref="MeterName"/>, readable by
/// <c>dotnet-counters monitor --counters Gecko.Core</c>, OpenTelemetry's <c>AddMeter("Gecko.Core")</c> or a
/// <see cref="MeterListener"/>. Every instrument is observable: it reads the counters the hub keeps anyway when a
/// listener collects, so the message path pays nothing for metrics, listened to or not.
/// </summary>
/// <remarks>
/// Instruments: <c>gecko.topic.messages</c> and <c>gecko.topic.bytes</c> (counters, tag <c>topic</c>; the hub's own
/// <c>gecko.*</c> topics are left out), <c>gecko.hub.malformed</c> (counter, tag <c>reason</c>),
/// <c>gecko.hub.connections</c> (established connections to the hub's endpoints at the latest sample, tag
/// <c>endpoint</c> = <c>in</c>, <c>out</c> or <c>ipc</c>), <c>gecko.hub.topics</c> and <c>gecko.hub.processes</c>
/// (gauges). Every instrument of one hub carries the meter tag <c>gecko.hub.key</c>.
/// </remarks>
public sealed class HubMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Gecko.Core";

    private readonly TopicRegistry _topics;
    private readonly HubCounters _counters;
    private readonly Func<int> _ipcConnections;
    private readonly int _inPort;
    private readonly int _outPort;
    private MonitorReport _latest = MonitorReport.Empty;

    /// <summary>Creates the meter and its instruments over a hub's live counters.</summary>
    /// <param name="topics">The hub's topic table.</param>
    /// <param name="counters">The hub's malformed-input counters.</param>
    /// <param name="key">The hub's key, the meter's <c>gecko.hub.key</c> tag.</param>
    /// <param name="inAddress">The bound in endpoint (its TCP port tells its connections apart).</param>
    /// <param name="outAddress">The bound out endpoint.</param>
    /// <param name="ipcConnections">Connections relayed on <c>ipc://</c> endpoints now.</param>
    public HubMetrics(TopicRegistry topics, HubCounters counters, string key, string inAddress, string outAddress, Func<int>? ipcConnections = null)
    {
        _topics = topics ?? throw new ArgumentNullException(nameof(topics));
        _counters = counters ?? throw new ArgumentNullException(nameof(counters));
        _ipcConnections = ipcConnections ?? (() => 0);
        _inPort = TcpPort(inAddress);
        _outPort = TcpPort(outAddress);
        Meter = new Meter(new MeterOptions(MeterName)
        {
            Version = typeof(HubMetrics).Assembly.GetName().Version?.ToString(),
            Tags = [new("gecko.hub.key", key)],
        });
        Meter.CreateObservableCounter("gecko.topic.messages", ObserveMessages, "{message}", "Messages that passed the hub, per topic.");
        Meter.CreateObservableCounter("gecko.topic.bytes", ObserveBytes, "By", "Payload bytes that passed the hub, per topic.");
        Meter.CreateObservableCounter("gecko.hub.malformed", ObserveMalformed, "{message}", "Messages dropped as malformed, per reason.");
        Meter.CreateObservableUpDownCounter("gecko.hub.connections", ObserveConnections, "{connection}",
            "Established connections to the hub's endpoints at the latest process sample.");
        Meter.CreateObservableGauge("gecko.hub.topics", () => CountTopics(), "{topic}", "Topics the hub counts, its own reserved ones left out.");
        Meter.CreateObservableGauge("gecko.hub.processes", () => Volatile.Read(ref _latest).Processes.Count, "{process}",
            "Registered processes the monitor follows.");
    }

    /// <summary>The meter (disposed with this object).</summary>
    public Meter Meter { get; }

    /// <summary>Takes the monitor's latest sample, for the connection and process instruments.</summary>
    internal void Observe(MonitorReport report) => Volatile.Write(ref _latest, report);

    private IEnumerable<Measurement<long>> ObserveMessages()
    {
        foreach (var topic in _topics.All)
            if (!topic.IsReserved) yield return new Measurement<long>(topic.Messages, new KeyValuePair<string, object?>("topic", topic.Name));
    }

    private IEnumerable<Measurement<long>> ObserveBytes()
    {
        foreach (var topic in _topics.All)
            if (!topic.IsReserved) yield return new Measurement<long>(topic.Bytes, new KeyValuePair<string, object?>("topic", topic.Name));
    }

    private IEnumerable<Measurement<long>> ObserveMalformed()
    {
        foreach (var reason in Enum.GetValues<MalformedReason>())
            yield return new Measurement<long>(_counters.Malformed(reason), new KeyValuePair<string, object?>("reason", StatsReport.ReasonName(reason)));
    }

    private IEnumerable<Measurement<int>> ObserveConnections()
    {
        int inCount = 0, outCount = 0;
        foreach (var connection in Volatile.Read(ref _latest).Connections)
        {
            if (connection.State != TcpState.Established) continue;
            if (connection.Local.Port == _inPort) inCount++;
            else if (connection.Local.Port == _outPort) outCount++;
        }
        yield return new Measurement<int>(inCount, new KeyValuePair<string, object?>("endpoint", "in"));
        yield return new Measurement<int>(outCount, new KeyValuePair<string, object?>("endpoint", "out"));
        yield return new Measurement<int>(_ipcConnections(), new KeyValuePair<string, object?>("endpoint", "ipc"));
    }

    private int CountTopics()
    {
        var count = 0;
        foreach (var topic in _topics.All)
            if (!topic.IsReserved) count++;
        return count;
    }

    private static int TcpPort(string endpoint)
    {
        if (!endpoint.StartsWith(Wire.Endpoint.TcpScheme, StringComparison.Ordinal)) return -1;
        var colon = endpoint.LastIndexOf(':');
        return int.TryParse(endpoint.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) ? port : -1;
    }

    /// <summary>Disposes the meter: its instruments stop reporting.</summary>
    public void Dispose() => Meter.Dispose();
}
