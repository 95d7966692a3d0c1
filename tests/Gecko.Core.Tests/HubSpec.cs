using Akka.Configuration;
using Gecko.Core.Hub;
using Gecko.Core.Routing;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests;

/// <summary>
/// A TestKit with a real hub on OS-chosen loopback ports, its own core-file folder and a short stats interval.
/// Subclasses add settings with <see cref="HubConfig"/> (HOCON under <c>gecko.core</c>).
/// </summary>
public abstract class HubSpec : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    /// <summary>Generous: the machine is shared with other test runs; a wait ends as soon as its condition holds.</summary>
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // Expectations without a timeout of their own wait up to 15 s: on a loaded machine the 3 s default ran out.
    protected HubSpec() : base("akka.loglevel = WARNING\nakka.test.single-expect-default = 15s") { }

    protected TempFolder Folder { get; } = new("gecko-hub-test-");

    protected GeckoHub Hub { get; private set; } = null!;

    /// <summary>This test's hub key: never another test run's.</summary>
    protected string Key { get; } = $"test-{Guid.NewGuid():N}";

    /// <summary>Settings layered over the test defaults, e.g. <c>max-payload-size = 1 KiB</c>.</summary>
    protected virtual string HubConfig => "";

    /// <summary>The hub's settings: loopback, OS-chosen ports, this test's core-file folder.</summary>
    protected CoreSettings Settings(string extra = "") => CoreSettings.Create(ConfigurationFactory.ParseString($$"""
        gecko.core {
          in-address = "tcp://127.0.0.1:0"
          out-address = "tcp://127.0.0.1:0"
          stats-interval = 200ms
          core-file-directory = "{{Folder.Path}}"
          key = "{{Key}}"
          beacon.enabled = off
          {{HubConfig}}
          {{extra}}
        }
        """));

    private readonly List<GeckoHub> _moreHubs = [];
    private int _connections;

    public virtual async Task InitializeAsync() => Hub = await GeckoHub.StartAsync(Sys, Settings());

    /// <summary>Starts another hub in this actor system (stopped with the test), with <paramref name="extra"/> settings.</summary>
    protected async Task<GeckoHub> StartHubAsync(string extra)
    {
        var hub = await GeckoHub.StartAsync(Sys, Settings(extra), name: $"gecko-router-{Guid.NewGuid():N}");
        _moreHubs.Add(hub);
        return hub;
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var hub in _moreHubs) await hub.DisposeAsync();
        await Hub.DisposeAsync();
        Folder.Dispose();
    }

    /// <summary>Polls the hub's stats until <paramref name="condition"/> holds.</summary>
    protected async Task<HubStats> StatsUntilAsync(Func<HubStats, bool> condition, string what)
    {
        HubStats stats = null!;
        await Eventually.UntilAsync(async () => condition(stats = await Hub.GetStatsAsync()), Timeout, what,
            () => $"Last stats: {Describe(stats)}");
        return stats;
    }

    /// <summary>Publishes probes from <paramref name="publisher"/> until the hub has counted one: the publisher is connected.</summary>
    protected async Task ConnectAsync(NetMQ.Sockets.PublisherSocket publisher, int id, GeckoHub? hub = null)
    {
        hub ??= Hub;
        // A topic of this call's own: a probe left over from an earlier connection must not pass for this one
        // (a publisher the hub disconnected reconnects, and until then its messages are dropped).
        var topic = $"{ZeroMqNodes.ControlPrefix}connect/{id}/{Interlocked.Increment(ref _connections)}";
        await Eventually.UntilAsync(async () =>
        {
            publisher.Send(topic, []);
            return (await hub.GetStatsAsync()).Topic(topic) is not null;
        }, Timeout, $"publisher {id} connected");
    }

    /// <summary>
    /// Sends the end marker of <paramref name="publisher"/> and waits until the hub counted it: everything the publisher
    /// sent before has been counted too (the hub keeps each publisher's order).
    /// </summary>
    protected async Task<HubStats> DrainAsync(NetMQ.Sockets.PublisherSocket publisher, int id, GeckoHub? hub = null)
    {
        hub ??= Hub;
        var topic = ZeroMqNodes.EndTopic(id);
        // Only this method sends end markers, and each waits for its own: the count before is exact.
        var before = (await hub.GetStatsAsync()).Topic(topic)?.Messages ?? 0;
        publisher.Send(topic, []);
        HubStats stats = null!;
        await Eventually.UntilAsync(async () => (stats = await hub.GetStatsAsync()).Topic(topic)?.Messages > before, Timeout,
            $"the end marker of publisher {id}", () => Describe(stats));
        return stats;
    }

    protected static string Describe(HubStats? stats) => stats is null
        ? "none"
        : $"total {stats.TotalMessages} msgs {stats.TotalBytes} B, malformed [{string.Join(", ", stats.Malformed.Select(m => $"{m.Key}={m.Value}"))}], " +
          $"topics [{string.Join(", ", stats.Topics.Select(t => $"{t.Topic}: {t.Messages} msgs {t.Bytes} B"))}]";
}
