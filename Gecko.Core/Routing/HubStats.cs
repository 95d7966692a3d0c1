using Gecko.Core.Monitoring;

namespace Gecko.Core.Routing;

/// <summary>One topic in a stats snapshot.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Messages">Messages since the hub started.</param>
/// <param name="Bytes">Payload bytes since the hub started.</param>
/// <param name="MessagesPerSecond">Average rate over the last stats interval.</param>
/// <param name="BytesPerSecond">Average payload bytes per second over the last stats interval.</param>
/// <param name="LocalSubscribers">In-process subscriber actors.</param>
/// <param name="ExternalSubscribers">Whether a ZeroMQ subscriber's prefix matches the topic.</param>
public sealed record TopicStats(
    string Topic, long Messages, long Bytes, double MessagesPerSecond, double BytesPerSecond,
    int LocalSubscribers, bool ExternalSubscribers);

/// <summary>A consistent snapshot of the hub: taken at one moment by the router, immutable after.</summary>
/// <param name="Timestamp">When the snapshot was taken.</param>
/// <param name="Uptime">Time since the router started.</param>
/// <param name="TotalMessages">Messages that passed the hub, all topics.</param>
/// <param name="TotalBytes">Payload bytes that passed the hub, all topics.</param>
/// <param name="MessagesPerSecond">All topics, over the last interval.</param>
/// <param name="Malformed">Messages dropped as malformed, by reason.</param>
/// <param name="Topics">Per topic, sorted by name.</param>
/// <param name="Processes">Registered processes still alive, by pid, with their CPU and memory (from the process monitor's latest sample).</param>
/// <param name="Hub">The hub process's own CPU and memory.</param>
/// <param name="Connections">The hub process's listening and established TCP sockets.</param>
public sealed record HubStats(
    DateTimeOffset Timestamp, TimeSpan Uptime, long TotalMessages, long TotalBytes, double MessagesPerSecond,
    IReadOnlyDictionary<MalformedReason, long> Malformed, IReadOnlyList<TopicStats> Topics,
    IReadOnlyList<MonitoredProcess> Processes, ProcessUsage Hub, IReadOnlyList<TcpConnection> Connections)
{
    /// <summary>All malformed messages.</summary>
    public long MalformedTotal => Malformed.Values.Sum();

    /// <summary>The stats of <paramref name="topic"/>, or null when the hub has not seen it.</summary>
    public TopicStats? Topic(string topic) => Topics.FirstOrDefault(t => t.Topic == topic);
}
