using Akka.Actor;
using Akka.Configuration;
using Gecko.Core.Configuration;

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

    /// <summary>Creates the actor system over <paramref name="config"/>, Gecko's defaults and quiet logging.</summary>
    public static ActorSystem Create(Config? config = null) =>
        ActorSystem.Create("gecko", GeckoConfig.WithDefaults(config).WithFallback(ConfigurationFactory.ParseString(Quiet)));
}
