using System.Text.Json;
using Gecko.Core.Discovery;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests.Discovery;

/// <summary>The core file: written when a hub starts, removed when it stops, stale ones ignored and removed.</summary>
public sealed class CoreFileSpec : HubSpec
{
    /// <summary>The pid of a process that has exited (and been reaped).</summary>
    private static async Task<int> DeadPidAsync()
    {
        using var process = ChildProcess.Program("true", []);
        Assert.Equal(0, await process.WaitForExitAsync(Timeout));
        return process.Pid;
    }

    [Fact]
    public async Task Hub_must_write_its_core_file_on_start_with_the_bound_addresses()
    {
        var path = Hub.CoreFilePath!;

        Assert.Equal(Folder.Combine($"gecko-{Environment.ProcessId}.json"), path);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        Assert.Equal(Hub.InAddress, json.RootElement.GetProperty("in_addr").GetString());
        Assert.Equal(Hub.OutAddress, json.RootElement.GetProperty("out_addr").GetString());
        Assert.Equal(Environment.ProcessId, json.RootElement.GetProperty("pid").GetInt32());
        Assert.DoesNotContain(":0", Hub.InAddress); // the chosen port, not the setting
        var live = CoreFile.FindLive(Folder.Path);
        Assert.Equal(Hub.InAddress, Assert.Single(live).InAddress);
    }

    [Fact]
    public async Task Hub_must_remove_its_core_file_on_a_clean_stop()
    {
        var hub = await StartHubAsync("");
        var path = hub.CoreFilePath!;
        Assert.True(File.Exists(path));

        await hub.DisposeAsync();

        Assert.False(File.Exists(path));
        Assert.True(File.Exists(Hub.CoreFilePath)); // the other hub's file is its own
    }

    [Fact]
    public async Task Hubs_in_one_process_must_write_one_core_file_each()
    {
        var second = await StartHubAsync("");

        Assert.NotEqual(Hub.CoreFilePath, second.CoreFilePath);
        Assert.Equal(Folder.Combine($"gecko-{Environment.ProcessId}-2.json"), second.CoreFilePath);
        Assert.Equal(2, CoreFile.FindLive(Folder.Path).Count);
    }

    [Fact]
    public async Task FindLive_must_ignore_and_remove_the_core_file_of_a_dead_hub()
    {
        var dead = await DeadPidAsync();
        var stale = Folder.Write($"gecko-{dead}.json", $$"""{"in_addr": "tcp://127.0.0.1:1", "out_addr": "tcp://127.0.0.1:2", "pid": {{dead}}}""");
        var staleWithoutPid = Folder.Write($"gecko-{dead}-2.json", """{"in_addr": "tcp://127.0.0.1:1", "out_addr": "tcp://127.0.0.1:2"}""");
        var unreadable = Folder.Write($"gecko-{dead}-3.json", "{ not json");
        var notOurs = Folder.Write("gecko-notes.json", "{}");

        var live = CoreFile.FindLive(Folder.Path);

        Assert.Equal([Hub.InAddress], live.Select(c => c.InAddress));
        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(staleWithoutPid));
        Assert.False(File.Exists(unreadable));
        Assert.True(File.Exists(notOurs)); // no pid in its name: not provably a dead hub's, left alone
    }

    [Fact]
    public async Task Hub_must_remove_stale_core_files_when_it_starts()
    {
        var dead = await DeadPidAsync();
        var stale = Folder.Write($"gecko-{dead}.json", $$"""{"in_addr": "tcp://127.0.0.1:1", "out_addr": "tcp://127.0.0.1:2", "pid": {{dead}}}""");

        await StartHubAsync("");

        Assert.False(File.Exists(stale));
    }

    [Fact]
    public async Task Hub_must_create_a_missing_core_file_folder_and_run_without_a_core_file_when_told()
    {
        var nested = Folder.Combine("a", "b");
        var withFolder = await StartHubAsync($"core-file-directory = \"{nested}\"");
        var without = await StartHubAsync("write-core-file = off");

        Assert.True(File.Exists(withFolder.CoreFilePath));
        Assert.StartsWith(nested, withFolder.CoreFilePath);
        Assert.Null(without.CoreFilePath);
    }
}
