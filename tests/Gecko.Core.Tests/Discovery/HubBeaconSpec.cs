using Akka.Configuration;
using Gecko.Core.Discovery;
using Gecko.Core.Hub;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests.Discovery;

/// <summary>A real hub answers beacon look-ups for its key with the addresses it bound, and stops when disposed.</summary>
public class HubBeaconSpec : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task Hub_must_answer_look_ups_for_its_key_with_its_bound_addresses_until_disposed()
    {
        using var coreFiles = new TempFolder();
        var key = BeaconTests.UniqueKey();
        var settings = CoreSettings.Create(ConfigurationFactory.ParseString($$"""
            gecko.core {
              in-address = "tcp://127.0.0.1:0"
              out-address = "tcp://127.0.0.1:0"
              key = "{{key}}"
              core-file-directory = "{{coreFiles.Path}}"
            }
            """));
        var hub = await GeckoHub.StartAsync(Sys, settings);
        Assert.NotNull(hub.Beacon);

        var answer = BeaconLookup.Ask(key, BeaconTests.Loopback);

        Assert.Equal((hub.InAddress, hub.OutAddress, Environment.ProcessId), (answer?.InAddress, answer?.OutAddress, answer?.Pid));
        await hub.DisposeAsync();
        Assert.Null(BeaconLookup.Ask(key, BeaconTests.Loopback with { Timeout = TimeSpan.FromMilliseconds(300) }));
    }

    [Fact]
    public async Task Hub_must_not_answer_when_the_beacon_is_off()
    {
        using var coreFiles = new TempFolder();
        var key = BeaconTests.UniqueKey();
        var settings = CoreSettings.Create(ConfigurationFactory.ParseString($$"""
            gecko.core {
              in-address = "tcp://127.0.0.1:0"
              out-address = "tcp://127.0.0.1:0"
              key = "{{key}}"
              core-file-directory = "{{coreFiles.Path}}"
              beacon.enabled = off
            }
            """));
        await using var hub = await GeckoHub.StartAsync(Sys, settings);

        Assert.Null(hub.Beacon);
        Assert.Null(BeaconLookup.Ask(key, BeaconTests.Loopback with { Timeout = TimeSpan.FromMilliseconds(300) }));
    }
}
