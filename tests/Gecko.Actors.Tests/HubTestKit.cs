using Akka.Configuration;
using Gecko.Core;
using Gecko.Core.Hub;
using Xunit;

namespace Gecko.Actors.Tests;

/// <summary>
/// A TestKit with a real hub on OS-chosen loopback ports, its own core-file folder and a beacon key of its own (it
/// answers look-ups on loopback only, as a loopback hub does by default).
/// </summary>
public abstract class HubTestKit : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private readonly string _coreFileDirectory = Directory.CreateTempSubdirectory("gecko-test-").FullName;

    // Expectations without a timeout of their own wait up to 15 s: on a loaded machine the 3 s default ran out.
    protected HubTestKit() : base("akka.loglevel = INFO\nakka.test.single-expect-default = 15s") { }

    protected GeckoHub Hub { get; private set; } = null!;

    /// <summary>The folder the hub writes its core file to.</summary>
    protected string CoreFileDirectory => _coreFileDirectory;

    /// <summary>The key the hub answers beacon look-ups for.</summary>
    protected string HubKey { get; } = $"test-{Guid.NewGuid():N}";

    public virtual async Task InitializeAsync()
    {
        var settings = CoreSettings.Create(ConfigurationFactory.ParseString($$"""
            gecko.core {
              in-address = "tcp://127.0.0.1:0"
              out-address = "tcp://127.0.0.1:0"
              stats-interval = 500ms
              core-file-directory = "{{_coreFileDirectory}}"
              key = "{{HubKey}}"
            }
            """));
        Hub = await GeckoHub.StartAsync(Sys, settings);
    }

    /// <summary>
    /// Starts a new hub with <paramref name="settings"/> in place of the (already disposed) current one. NetMQ closes a
    /// disposed socket on its own I/O thread, so the old ports may be busy a little longer: binding is retried, bounded.
    /// </summary>
    protected async Task ReplaceHubAsync(CoreSettings settings)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                Hub = await GeckoHub.StartAsync(Sys, settings, name: $"gecko-router-{Guid.NewGuid():N}");
                return;
            }
            catch (GeckoBindException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public virtual async Task DisposeAsync()
    {
        await Hub.DisposeAsync();
        Directory.Delete(_coreFileDirectory, recursive: true);
    }
}
