using Akka.Configuration;
using Gecko.Core.Hub;
using Xunit;

namespace Gecko.Actors.Tests;

/// <summary>A TestKit with a real hub on OS-chosen loopback ports and its own core-file folder.</summary>
public abstract class HubTestKit : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private readonly string _coreFileDirectory = Directory.CreateTempSubdirectory("gecko-test-").FullName;

    protected HubTestKit() : base("akka.loglevel = INFO") { }

    protected GeckoHub Hub { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        var settings = CoreSettings.Create(ConfigurationFactory.ParseString($$"""
            gecko.core {
              in-address = "tcp://127.0.0.1:0"
              out-address = "tcp://127.0.0.1:0"
              stats-interval = 500ms
              core-file-directory = "{{_coreFileDirectory}}"
            }
            """));
        Hub = await GeckoHub.StartAsync(Sys, settings);
    }

    /// <summary>Starts a new hub with <paramref name="settings"/> in place of the (already disposed) current one.</summary>
    protected async Task ReplaceHubAsync(CoreSettings settings) =>
        Hub = await GeckoHub.StartAsync(Sys, settings, name: $"gecko-router-{Guid.NewGuid():N}");

    public virtual async Task DisposeAsync()
    {
        await Hub.DisposeAsync();
        Directory.Delete(_coreFileDirectory, recursive: true);
    }
}
