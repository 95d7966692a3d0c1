using Akka.Configuration;
using Gecko.Core.Hub;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Cli;

/// <summary>
/// <c>gecko find</c> as a real child process against a real hub in the test process. The child's environment has no
/// GECKO_CORE_* of the test run's, it looks at a core-file folder of the test's own and asks the beacon on loopback only.
/// </summary>
public sealed class FindCommandTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TempFolder _hubCoreFiles = new();
    private readonly TempFolder _noCoreFiles = new();
    private readonly string _key = $"test-{Guid.NewGuid():N}";
    private GeckoHub _hub = null!;

    public async Task InitializeAsync()
    {
        var settings = CoreSettings.Create(ConfigurationFactory.ParseString($$"""
            gecko.core {
              in-address = "tcp://127.0.0.1:0"
              out-address = "tcp://127.0.0.1:0"
              key = "{{_key}}"
              core-file-directory = "{{_hubCoreFiles.Path}}"
            }
            """));
        _hub = await GeckoHub.StartAsync(Sys, settings);
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _hubCoreFiles.Dispose();
        _noCoreFiles.Dispose();
    }

    private static readonly Dictionary<string, string> NoHubInEnvironment = new()
    {
        ["GECKO_CORE_IN"] = "",
        ["GECKO_CORE_OUT"] = "",
        ["GECKO_CORE_KEY"] = "",
    };

    private static async Task<(int ExitCode, IReadOnlyList<string> Lines)> Find(params string[] args)
    {
        using var find = ChildProcess.Gecko(["find", .. args], NoHubInEnvironment);
        return await find.RunToEndAsync(Timeout);
    }

    [Fact]
    public async Task Find_HubAnsweringTheBeacon_PrintsItsAddressesAndPidAndExitsZero()
    {
        var (exit, lines) = await Find(_key, "--interface", "lo", "--core-dir", _noCoreFiles.Path, "--timeout", "20");

        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.StartsWith($"GeckoCore found via beacon: answered the beacon look-up for '{_key}' from 127.0.0.1", lines[0]);
        Assert.Contains($"  in   {_hub.InAddress}", lines);
        Assert.Contains($"  out  {_hub.OutAddress}", lines);
        Assert.Contains($"  key  {_key}", lines);
        Assert.Contains($"  pid  {Environment.ProcessId}", lines);
    }

    [Fact]
    public async Task Find_HubsCoreFile_PrintsItWithoutAskingTheBeacon()
    {
        var (exit, lines) = await Find("--core-dir", _hubCoreFiles.Path, "--interface", "lo");

        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.StartsWith($"GeckoCore found via core file: from the core file of hub pid {Environment.ProcessId}", lines[0]);
        Assert.Contains($"  in   {_hub.InAddress}", lines);
    }

    [Fact]
    public async Task Find_Env_PrintsShellExports()
    {
        var (exit, lines) = await Find(_key, "--env", "--interface", "lo", "--core-dir", _noCoreFiles.Path, "--timeout", "20");

        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.Equal([$"export GECKO_CORE_IN={_hub.InAddress}", $"export GECKO_CORE_OUT={_hub.OutAddress}"], lines);
    }

    [Fact]
    public async Task Find_NobodyAnswersTheKey_SaysSoAndExitsOne()
    {
        var wrong = $"test-{Guid.NewGuid():N}";

        var (exit, lines) = await Find(wrong, "--interface", "lo", "--core-dir", _noCoreFiles.Path, "--timeout", "0.3");

        Assert.True(exit == 1, string.Join('\n', lines));
        Assert.Contains("stderr: gecko find: no hub found.", lines);
        Assert.Contains(lines, l => l.Contains($"no hub answered a beacon look-up for key '{wrong}' within 0.3 s (asked on lo (127.0.0.1))"));
        Assert.DoesNotContain(lines, l => l.Contains(_hub.InAddress));
    }

    [Theory]
    [InlineData("--timeout abc", "--timeout 'abc' is not a number of seconds")]
    [InlineData("--timeout -1", "--timeout '-1' is not a number of seconds between 0.01 and 300")]
    [InlineData("--interface nope0", "beacon interface 'nope0': no interface of that name")]
    public async Task Find_BadArgument_SaysWhatIsWrongAndExitsTwo(string args, string expected)
    {
        var (exit, lines) = await Find([.. args.Split(' '), "--core-dir", _noCoreFiles.Path]);

        Assert.True(exit == 2, string.Join('\n', lines));
        Assert.Contains(lines, l => l.StartsWith("stderr: gecko find: ") && l.Contains(expected));
    }

    [Fact]
    public async Task Find_MissingCoreFileFolder_SaysWhatIsWrongAndExitsTwo()
    {
        var (exit, lines) = await Find("--core-dir", "/nonexistent/gecko");

        Assert.True(exit == 2, string.Join('\n', lines));
        Assert.Contains(lines, l => l.StartsWith("stderr: gecko find: --core-dir '/nonexistent/gecko' does not exist"));
    }

    [Fact]
    public async Task Find_UnknownOption_IsRefused()
    {
        var (exit, lines) = await Find("--wait");

        Assert.True(exit == 2, string.Join('\n', lines));
        Assert.Contains("stderr: gecko find: unknown option '--wait': see gecko find --help for --timeout, --interface, --core-dir and --env.", lines);
    }

    [Fact]
    public async Task Find_ExtraArgument_IsRefused()
    {
        var (exit, lines) = await Find("robot1", "robot2");

        Assert.NotEqual(0, exit);
        Assert.Contains("stderr: Unrecognized command or argument 'robot2'.", lines);
    }

    [Fact]
    public async Task Find_Help_ShowsExamples()
    {
        var (exit, lines) = await Find("--help");

        Assert.Equal(0, exit);
        Assert.Contains(lines, l => l.Contains("gecko find robot1"));
    }
}
