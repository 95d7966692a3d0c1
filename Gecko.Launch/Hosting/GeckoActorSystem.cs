using Akka.Actor;
using Akka.Configuration;
using Gecko.Core.Cluster;
using Gecko.Core.Configuration;
using Gecko.Core.Hub;

namespace Gecko.Launch.Hosting;

/// <summary>The actor system the <c>gecko</c> command runs in.</summary>
public static class GeckoActorSystem
{
    // The console belongs to the dashboard: Akka itself only speaks up for warnings and errors.
    private const string Quiet = """
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          actor.ask-timeout = 10s
          coordinated-shutdown.run-by-clr-shutdown-hook = off
        }
        """;

    /// <summary>
    /// Creates the actor system over <paramref name="config"/>, Gecko's defaults and quiet logging; a cluster host
    /// (Akka.Remote, Akka.Cluster) when <paramref name="cluster"/>, or else <c>gecko.cluster</c> in the config, is enabled.
    /// </summary>
    public static ActorSystem Create(Config? config = null, ClusterSettings? cluster = null)
    {
        var gecko = GeckoConfig.WithDefaults(config);
        cluster ??= ClusterSettings.Create(gecko);
        var settings = gecko.WithFallback(ConfigurationFactory.ParseString(Quiet));
        return cluster.Enabled
            ? ActorSystem.Create(ClusterSettings.SystemName, cluster.ToActorSystemSetup(settings, CoreSettings.Create(gecko).MaxPayloadSize))
            : ActorSystem.Create(ClusterSettings.SystemName, settings);
    }
}
