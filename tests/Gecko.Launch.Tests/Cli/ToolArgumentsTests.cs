using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Cli;

/// <summary>
/// The tools find their hub as nodes do (core file, beacon key), say clearly when none answers, refuse bad arguments
/// with what to write instead, and each has help with examples.
/// </summary>
public sealed class ToolArgumentsTests : ToolSpec
{
    private readonly TempFolder _noCoreFiles = new("gecko-tool-empty-");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _noCoreFiles.Dispose();
    }

    [Fact]
    public async Task TopicList_HubsCoreFile_FindsItWithoutAddresses()
    {
        var (exit, lines) = await RunBareAsync("topic", "list", "--core-dir", CoreFiles.Path, "--interface", "lo");

        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.Equal("no topics yet", lines[0]);
    }

    [Fact]
    public async Task NodeList_BeaconKey_FindsTheHubWithNoCoreFile()
    {
        var (exit, lines) = await RunBareAsync("node", "list", "--key", Key, "--core-dir", _noCoreFiles.Path, "--interface", "lo", "--timeout", "30");

        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.StartsWith($"hub [{Environment.ProcessId}] on {System.Net.Dns.GetHostName()}  key {Key}  CPU ", lines[0]);
        Assert.Contains($"in {Hub.InAddress}  out {Hub.OutAddress}", lines[0]);
    }

    [Fact]
    public async Task Tools_NoHubAnswering_SayWhereTheyLookedAndExitOne()
    {
        // A port that accepts connections and never speaks ZeroMQ: held by this test, so nobody else's hub is there.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var endpoint = $"tcp://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}";

        var (exit, lines) = await RunBareAsync("topic", "list", "--in", endpoint, "--out", endpoint, "--timeout", "0.5");

        Assert.Equal(1, exit);
        Assert.Equal($"stderr: gecko topic list: no hub answered at in {endpoint}, out {endpoint} (given explicitly) within 0.5 s.", lines[0]);
        Assert.Contains(lines, l => l.Contains("Is a hub running there (gecko core, gecko launch)?"));
    }

    [Fact]
    public async Task Tools_HubOnIpcEndpoints_SayNetMqCannotDialThem()
    {
        var (exit, lines) = await RunBareAsync("node", "list", "--in", "ipc:///tmp/gecko-in.sock", "--out", "ipc:///tmp/gecko-out.sock");

        Assert.Equal(2, exit);
        Assert.Contains("a Unix socket, which NetMQ (and so this tool) cannot dial", Assert.Single(lines));
    }

    [Theory]
    [InlineData("topic pub chatter hello", "the value 'hello' is not valid JSON", "'\"hello\"'")]
    [InlineData("topic pub chatter {\"a\":", "is not valid JSON", "Quote the whole value")]
    [InlineData("topic pub cmd {} --type twst", "--type 'twst' is not a standard message (did you mean 'twist'?)", "use one of vector")]
    [InlineData("topic pub cmd {\"linear\":[1,0,0],\"angular\":[0,0]} --type twist", "twist.angular has 3 fields (x, y, z), not 2", "give [x, y, z]")]
    [InlineData("topic pub cmd {\"linear\":[1,0,0]} --type twist", "twist needs its field 'angular'", "")]
    [InlineData("topic pub cmd 1 --rate fast", "--rate 'fast' is not a rate above 0", "--rate 10")]
    [InlineData("topic pub cmd 1 --rate 0", "--rate '0' is not a rate above 0", "")]
    [InlineData("topic pub cmd 1 --once -n 3", "--once sends one message", "")]
    [InlineData("topic pub gecko.stats {}", "topics starting with gecko. are the hub's own", "pick another topic")]
    [InlineData("topic echo imu -n 0", "-n '0' is not a whole number of at least 1", "-n 10")]
    [InlineData("topic hz imu --window 1", "--window '1' is not a number of messages from 2", "")]
    [InlineData("topic hz cam* ", "this tool measures one topic", "gecko topic hz imu")]
    [InlineData("topic list --timeout soon", "--timeout 'soon' is not a number of seconds", "--timeout 10")]
    [InlineData("topic list --in udp://x:1", "--in = 'udp://x:1' is neither a tcp:// nor an ipc:// endpoint", "")]
    [InlineData("node list --core-dir /nonexistent/gecko", "--core-dir '/nonexistent/gecko' does not exist", "")]
    [InlineData("log --level verbose", "--level 'verbose' is not a level", "DEBUG, INFO, WARN or ERROR")]
    [InlineData("log --color sometimes", "--color 'sometimes' is not auto, always or never", "")]
    public async Task Tools_BadArgument_SayWhatIsWrongAndHowToFixItWithExitTwo(string args, string what, string fix)
    {
        var (exit, lines) = await RunBareAsync(args.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, exit);
        var error = Assert.Single(lines);
        Assert.StartsWith("stderr: gecko ", error);
        Assert.Contains(what, error);
        Assert.Contains(fix, error);
    }

    [Fact]
    public async Task TopicPub_TopicTooLong_IsRefused()
    {
        var (exit, lines) = await RunBareAsync("topic", "pub", new string('t', 256), "1");

        Assert.Equal(2, exit);
        Assert.Contains("is 256 bytes in UTF-8; topics are at most 255 bytes", Assert.Single(lines));
    }

    [Fact]
    public async Task TopicPub_MissingValue_IsAParseErrorWithNonZeroExit()
    {
        var (exit, lines) = await RunBareAsync("topic", "pub", "chatter");

        Assert.NotEqual(0, exit);
        Assert.Contains(lines, l => l.Contains("Required argument 'value' missing"));
    }

    [Theory]
    [InlineData("topic list")]
    [InlineData("topic echo")]
    [InlineData("topic hz")]
    [InlineData("topic bw")]
    [InlineData("topic pub")]
    [InlineData("node list")]
    [InlineData("node info")]
    [InlineData("log")]
    public async Task Tools_Help_HasExamplesAndHowTheHubIsFound(string verb)
    {
        var (exit, lines) = await RunBareAsync([.. verb.Split(' '), "--help"]);

        Assert.Equal(0, exit);
        var text = string.Join('\n', lines);
        Assert.Contains("Examples:", text);
        Assert.Contains($"  gecko {verb}", text);
        Assert.Contains("Finding the hub (as nodes do)", text);
        Assert.Contains("--timeout", text);
    }
}
