using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Gecko.Core.Introspection;
using Gecko.Testing;
using NetMQ;
using Xunit;

namespace Gecko.Core.Tests.Introspection;

/// <summary>The hub's meter, observed with a <see cref="MeterListener"/> as dotnet-counters and OpenTelemetry do.</summary>
public sealed class HubMetricsSpec : HubSpec
{
    /// <summary>The latest value of every measurement of this hub's meter, by instrument name and tags.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, double> _values = new();

        public Recorder(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter)) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.MeasurementsCompleted = (instrument, _) => Completed.Add(instrument.Name);
            _listener.Start();
        }

        public ConcurrentBag<string> Completed { get; } = [];

        public IReadOnlyDictionary<string, double> Collect()
        {
            _values.Clear();
            _listener.RecordObservableInstruments();
            return new Dictionary<string, double>(_values);
        }

        private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = instrument.Name;
            foreach (var tag in tags) key += $"|{tag.Key}={tag.Value}";
            _values[key] = value;
        }

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task Meter_must_report_topic_counts_malformed_input_and_connections()
    {
        using var recorder = new Recorder(Hub.Metrics.Meter);
        using var node = ZeroMqNodes.Publisher(Hub.InAddress);
        using var subscriber = ZeroMqNodes.Subscriber(Hub.OutAddress, "m");
        ZeroMqNodes.Handshake(node, subscriber, Timeout);
        for (var i = 0; i < 5; i++) node.Send("m", new byte[100]);
        node.SendFrame("one frame only");
        using (var tool = HubConnection.Open(new Gecko.Core.Discovery.HubLocation(Hub.InAddress, Hub.OutAddress, Gecko.Core.Discovery.HubSource.Explicit)))
            Assert.NotNull(tool.Handshake(Timeout));
        await DrainAsync(node, 0);
        // Clients in another process: the monitor leaves out connections whose both ends are the hub's own process.
        using var pythonPublisher = ChildProcess.Python("Monitoring/python/client.py", ["pub", Hub.InAddress]);
        using var pythonSubscriber = ChildProcess.Python("Monitoring/python/client.py", ["sub", Hub.OutAddress]);

        IReadOnlyDictionary<string, double> values = new Dictionary<string, double>();
        await Eventually.UntilAsync(() =>
        {
            values = recorder.Collect();
            return values.GetValueOrDefault("gecko.hub.connections|endpoint=in") >= 1 && values.GetValueOrDefault("gecko.hub.connections|endpoint=out") >= 1
                && values.GetValueOrDefault("gecko.hub.processes") >= 1;
        }, Timeout, "the connections and the registered process sampled", () => string.Join("\n", values.Select(v => $"{v.Key} = {v.Value}")));

        Assert.Equal(5, values["gecko.topic.messages|topic=m"]);
        Assert.Equal(500, values["gecko.topic.bytes|topic=m"]);
        Assert.Equal(1, values["gecko.hub.malformed|reason=wrong_frame_count"]);
        Assert.Equal(0, values["gecko.hub.malformed|reason=bad_topic"]);
        Assert.Equal(0, values["gecko.hub.connections|endpoint=ipc"]);
        // The tool's query went through the hub, but the hub's own topics are not user traffic.
        Assert.DoesNotContain(values.Keys, k => k.Contains("topic=gecko.", StringComparison.Ordinal));
        var userTopics = (await Hub.GetStatsAsync()).Topics.Count;
        Assert.Equal(userTopics, values["gecko.hub.topics"]);
        Assert.Equal(Key, Hub.Metrics.Meter.Tags!.Single(t => t.Key == "gecko.hub.key").Value);
    }

    [Fact]
    public async Task Meter_must_end_its_instruments_when_the_hub_stops()
    {
        var hub = await StartHubAsync("");
        using var recorder = new Recorder(hub.Metrics.Meter);
        Assert.Contains("gecko.hub.malformed|reason=bad_query", recorder.Collect().Keys);

        await hub.DisposeAsync();

        Assert.Contains("gecko.topic.messages", recorder.Completed);
        Assert.Empty(recorder.Collect());
    }
}
