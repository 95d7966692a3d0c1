namespace Gecko.Core.Routing;

/// <summary>Where the router hands messages for subscribers outside the process: the bridge's queue.</summary>
public interface IOutboundSink
{
    /// <summary>Queues one message for the out socket. Thread-safe; never blocks the caller.</summary>
    void Enqueue(TopicCounters topic, byte[] payload);
}
