using System.Text.Json;
using Gecko.Core.Discovery;
using Gecko.Core.Hub;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests.Discovery;

/// <summary>
/// Each step of finding the hub, in DESIGN.md's order. Every test reads its own environment (never the process's), its
/// own core-file folder, and asks the beacon on loopback for a key of its own.
/// </summary>
public sealed class HubLocatorTests : IDisposable
{
    private readonly TempFolder _coreFiles = new();
    private readonly Dictionary<string, string> _environment = new();
    private readonly string _key = BeaconTests.UniqueKey();

    public void Dispose() => _coreFiles.Dispose();

    private HubQuery Query(TimeSpan? beaconTimeout = null) => new()
    {
        CoreFileDirectory = _coreFiles.Path,
        Environment = _environment,
        Beacon = BeaconTests.Loopback with { Timeout = beaconTimeout ?? TimeSpan.FromSeconds(10) },
    };

    /// <summary>A core file as a live hub (this test process) writes it, under a name of our choosing.</summary>
    private string WriteCoreFile(string name, string inAddress, string outAddress, string? key, int? pid = null) =>
        _coreFiles.Write(name, JsonSerializer.Serialize(new CoreFile.Contents(inAddress, outAddress, pid ?? Environment.ProcessId, key)));

    [Fact]
    public void Locate_ExplicitAddresses_WinOverEverythingElse()
    {
        _environment[HubLocator.InVariable] = "tcp://127.0.0.1:41001";
        _environment[HubLocator.OutVariable] = "tcp://127.0.0.1:41002";
        WriteCoreFile("gecko-a.json", "tcp://127.0.0.1:42001", "tcp://127.0.0.1:42002", _key);

        var hub = HubLocator.Locate(Query() with { InAddress = "tcp://10.1.1.1:9998", OutAddress = "tcp://10.1.1.1:9999", Key = _key });

        Assert.Equal(new HubLocation("tcp://10.1.1.1:9998", "tcp://10.1.1.1:9999", HubSource.Explicit), hub with { Detail = "", Tried = [] });
        Assert.Equal("given explicitly", hub.Detail);
    }

    [Fact]
    public void Locate_Environment_WinsOverTheCoreFile()
    {
        _environment[HubLocator.InVariable] = "tcp://127.0.0.1:41001";
        _environment[HubLocator.OutVariable] = "tcp://127.0.0.1:41002";
        WriteCoreFile("gecko-a.json", "tcp://127.0.0.1:42001", "tcp://127.0.0.1:42002", _key);

        var hub = HubLocator.Locate(Query());

        Assert.Equal(("tcp://127.0.0.1:41001", "tcp://127.0.0.1:41002", HubSource.Environment), (hub.InAddress, hub.OutAddress, hub.Source));
        Assert.Contains("GECKO_CORE_IN", hub.Detail);
    }

    [Fact]
    public void Locate_EmptyEnvironmentVariables_CountAsUnset()
    {
        _environment[HubLocator.InVariable] = "";
        _environment[HubLocator.OutVariable] = " ";
        _environment[HubLocator.KeyVariable] = "";

        var hub = HubLocator.Locate(Query());

        Assert.Equal(HubSource.Default, hub.Source);
    }

    [Fact]
    public void Locate_MalformedEnvironmentVariable_SaysWhichAndHowToFixIt()
    {
        _environment[HubLocator.InVariable] = "localhost:9998";

        var error = Assert.Throws<GeckoConfigurationException>(() => HubLocator.Locate(Query()));

        Assert.Contains("GECKO_CORE_IN = 'localhost:9998'", error.Message);
        Assert.Contains("tcp://127.0.0.1:9998", error.Message);
    }

    [Fact]
    public void Locate_LiveHubsCoreFile_IsUsedWithItsPidAndKey()
    {
        using var written = CoreFile.Write("tcp://127.0.0.1:42001", "tcp://127.0.0.1:42002", _key, _coreFiles.Path);

        var hub = HubLocator.Locate(Query());

        Assert.Equal(("tcp://127.0.0.1:42001", "tcp://127.0.0.1:42002", HubSource.CoreFile), (hub.InAddress, hub.OutAddress, hub.Source));
        Assert.Equal(Environment.ProcessId, hub.Pid);
        Assert.Equal(_key, hub.Key);
        Assert.Contains(_coreFiles.Path, hub.Detail);
        Assert.Contains(hub.Tried, t => t.StartsWith("environment:"));
    }

    [Fact]
    public async Task Locate_StaleCoreFile_IsIgnoredAndRemoved()
    {
        int deadPid;
        using (var gone = ChildProcess.Program("/bin/true", []))
        {
            await gone.WaitForExitAsync(TimeSpan.FromSeconds(20));
            deadPid = gone.Pid;
        }
        var stale = WriteCoreFile($"gecko-{deadPid}.json", "tcp://127.0.0.1:42001", "tcp://127.0.0.1:42002", _key, deadPid);

        var hub = HubLocator.Locate(Query());

        Assert.Equal(HubSource.Default, hub.Source);
        Assert.Equal((CoreSettings.Default.InAddress, CoreSettings.Default.OutAddress), (hub.InAddress, hub.OutAddress));
        Assert.False(File.Exists(stale), "the stale core file is cleaned up");
    }

    [Fact]
    public void Locate_KeyGiven_UsesOnlyThatHubsCoreFile()
    {
        WriteCoreFile("gecko-other.json", "tcp://127.0.0.1:43001", "tcp://127.0.0.1:43002", "someone-else");
        WriteCoreFile("gecko-mine.json", "tcp://127.0.0.1:42001", "tcp://127.0.0.1:42002", _key);
        File.SetLastWriteTimeUtc(_coreFiles.Combine("gecko-other.json"), DateTime.UtcNow.AddMinutes(1)); // the newest, but not ours

        var hub = HubLocator.Locate(Query() with { Key = _key.ToUpperInvariant() });

        Assert.Equal(("tcp://127.0.0.1:42001", HubSource.CoreFile), (hub.InAddress, hub.Source));
    }

    [Fact]
    public async Task Locate_KeyWithoutACoreFile_AsksTheBeacon()
    {
        WriteCoreFile("gecko-other.json", "tcp://127.0.0.1:43001", "tcp://127.0.0.1:43002", "someone-else");
        await using var responder = BeaconResponder.Start(BeaconSettings.Default, _key, "tcp://127.0.0.1:44001", "tcp://127.0.0.1:44002");

        var hub = HubLocator.Locate(Query() with { Key = _key, Name = "locator-test" });

        Assert.Equal(("tcp://127.0.0.1:44001", "tcp://127.0.0.1:44002", HubSource.Beacon), (hub.InAddress, hub.OutAddress, hub.Source));
        Assert.Equal(Environment.ProcessId, hub.Pid);
        Assert.Contains($"beacon look-up for '{_key}'", hub.Detail);
        Assert.Contains(hub.Tried, t => t.Contains($"none for key '{_key}'") && t.Contains("'someone-else'"));
    }

    [Fact]
    public async Task Locate_KeyFromTheEnvironment_AsksTheBeacon()
    {
        _environment[HubLocator.KeyVariable] = _key;
        await using var responder = BeaconResponder.Start(BeaconSettings.Default, _key, "tcp://127.0.0.1:44001", "tcp://127.0.0.1:44002");

        var hub = HubLocator.Locate(Query());

        Assert.Equal((HubSource.Beacon, _key), (hub.Source, hub.Key));
    }

    [Fact]
    public async Task Search_WrongKey_FindsNothingWithinTheTimeoutAndSaysWhatItTried()
    {
        await using var responder = BeaconResponder.Start(BeaconSettings.Default, _key, "tcp://127.0.0.1:44001", "tcp://127.0.0.1:44002");
        var wrong = BeaconTests.UniqueKey();

        var search = HubLocator.Search(Query(TimeSpan.FromMilliseconds(300)) with { Key = wrong });

        Assert.False(search.Found);
        Assert.Contains(search.Tried, t => t.Contains($"no hub answered a beacon look-up for key '{wrong}' within 0.3 s"));
        var hub = HubLocator.Locate(Query(TimeSpan.FromMilliseconds(300)) with { Key = wrong });
        Assert.Equal(HubSource.Default, hub.Source);
    }

    [Fact]
    public void Locate_Nothing_GivesTheDefaultsAndSaysWhy()
    {
        var hub = HubLocator.Locate(Query());

        Assert.Equal((CoreSettings.Default.InAddress, CoreSettings.Default.OutAddress, HubSource.Default), (hub.InAddress, hub.OutAddress, hub.Source));
        Assert.Equal(3, hub.Tried.Count);
        Assert.Contains(hub.Tried, t => t.StartsWith("beacon: not asked, no key given"));
        Assert.False(HubLocator.Search(Query()).Found);
    }

    [Fact]
    public void Locate_OneExplicitAddress_TakesTheOtherFromTheNextStep()
    {
        WriteCoreFile("gecko-a.json", "tcp://127.0.0.1:42001", "tcp://127.0.0.1:42002", _key);

        var hub = HubLocator.Locate(Query() with { InAddress = "tcp://127.0.0.1:40001" });

        Assert.Equal(("tcp://127.0.0.1:40001", "tcp://127.0.0.1:42002", HubSource.CoreFile), (hub.InAddress, hub.OutAddress, hub.Source));
        Assert.StartsWith("in given explicitly; out from the core file", hub.Detail);
    }

    [Fact]
    public void Locate_MalformedExplicitAddress_IsRefused()
    {
        var error = Assert.Throws<GeckoConfigurationException>(() => HubLocator.Locate(Query() with { OutAddress = "tcp://127.0.0.1" }));

        Assert.Contains("explicit out address", error.Message);
    }

    [Fact]
    public async Task LocateAsync_Cancelled_StopsTheBeaconLookUp()
    {
        using var cancel = new CancellationTokenSource();
        var lookUp = HubLocator.LocateAsync(Query(TimeSpan.FromMinutes(1)) with { Key = BeaconTests.UniqueKey() }, cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lookUp.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
