using Akka.Actor;
using Akka.Configuration;
using Gecko.Core.Cluster;
using Gecko.Core.Configuration;
using Gecko.Core.Hub;
using Gecko.Testing;

namespace Gecko.Core.Tests.Cluster;

/// <summary>
/// A cluster host inside the test process: an actor system of its own on an OS-chosen loopback port with a hub on
/// OS-chosen ports, as <c>gecko core --cluster</c> runs one. Short failure detection, so tests stay quick.
/// </summary>
public sealed class ClusterHost : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private ClusterHost(ActorSystem system, GeckoHub hub)
    {
        System = system;
        Hub = hub;
    }

    public ActorSystem System { get; }

    public GeckoHub Hub { get; }

    public string Address => Akka.Cluster.Cluster.Get(System).SelfAddress.ToString();

    /// <summary>Starts a host joining <paramref name="seed"/> (null: it starts the cluster), with <paramref name="roles"/>.</summary>
    public static async Task<ClusterHost> StartAsync(ClusterHost? seed = null, string extra = "", params string[] roles)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            gecko.core {
              in-address = "tcp://127.0.0.1:0"
              out-address = "tcp://127.0.0.1:0"
              stats-interval = 200ms
              write-core-file = off
              key = "test-{{Guid.NewGuid():N}}"
              beacon.enabled = off
            }
            gecko.cluster {
              enabled = on
              port = 0
              seed-nodes = [{{(seed is null ? "" : $"\"{seed.Address}\"")}}]
              roles = [{{string.Join(", ", roles)}}]
              failure-detection { heartbeat-interval = 500ms, acceptable-heartbeat-pause = 3s }
              split-brain-resolver.stable-after = 2s
              interest-interval = 500ms
              {{extra}}
            }
            """);
        var gecko = GeckoConfig.WithDefaults(config);
        var cluster = ClusterSettings.Create(gecko);
        var settings = CoreSettings.Create(gecko);
        var system = ActorSystem.Create(ClusterSettings.SystemName, cluster.ToAkkaConfig(settings.MaxPayloadSize).WithFallback(gecko));
        var hub = await GeckoHub.StartAsync(system, settings);
        return new ClusterHost(system, hub);
    }

    /// <summary>Waits until this host sees <paramref name="count"/> members up and reachable.</summary>
    public async Task<ClusterState> MembersUpAsync(int count)
    {
        ClusterState? state = null;
        await Eventually.UntilAsync(async () => (state = await Hub.GetClusterStateAsync())!.UpCount == count, Timeout,
            $"{count} members up at {Address}", () => string.Join("\n", state?.Members.Select(m => m.ToString()) ?? []));
        return state!;
    }

    /// <summary>Waits until this host knows what <paramref name="other"/> wants (it announced at least one topic or prefix).</summary>
    public async Task KnowsInterestOfAsync(ClusterHost other, Func<ClusterMemberState, bool> condition)
    {
        ClusterState? state = null;
        await Eventually.UntilAsync(async () =>
            (state = await Hub.GetClusterStateAsync())!.Members.FirstOrDefault(m => m.Address == other.Address) is { } member && condition(member),
            Timeout, $"{Address} knows the interest of {other.Address}", () => string.Join("\n", state?.Members.Select(m => m.ToString()) ?? []));
    }

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        await System.Terminate();
    }
}
