using Akka.Configuration;
using Gecko.Core.Hub;
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

    protected HubSpec() : base("akka.loglevel = WARNING") { }

    protected TempFolder Folder { get; } = new("gecko-hub-test-");

    protected GeckoHub Hub { get; private set; } = null!;

    /// <summary>Settings layered over the test defaults, e.g. <c>max-payload-size = 1 KiB</c>.</summary>
    protected virtual string HubConfig => "";

    /// <summary>The hub's settings: loopback, OS-chosen ports, this test's core-file folder.</summary>
    protected CoreSettings Settings(string extra = "") => CoreSettings.Create(ConfigurationFactory.ParseString($$"""
        gecko.core {
          in-address = "tcp://127.0.0.1:0"
          out-address = "tcp://127.0.0.1:0"
          stats-interval = 200ms
          core-file-directory = "{{Folder.Path}}"
          {{HubConfig}}
          {{extra}}
        }
        """));

    private readonly List<GeckoHub> _moreHubs = [];

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
    protected async Task<Routing.HubStats> StatsUntilAsync(Func<Routing.HubStats, bool> condition, string what)
    {
        Routing.HubStats stats = null!;
        await Eventually.UntilAsync(async () => condition(stats = await Hub.GetStatsAsync()), Timeout, what,
            () => $"Last stats: {Describe(stats)}");
        return stats;
    }

    protected static string Describe(Routing.HubStats? stats) => stats is null
        ? "none"
        : $"total {stats.TotalMessages} msgs {stats.TotalBytes} B, malformed [{string.Join(", ", stats.Malformed.Select(m => $"{m.Key}={m.Value}"))}], " +
          $"topics [{string.Join(", ", stats.Topics.Select(t => $"{t.Topic}: {t.Messages} msgs {t.Bytes} B"))}]";
}
