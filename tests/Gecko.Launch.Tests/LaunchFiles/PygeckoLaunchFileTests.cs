using System.Text.Json;
using Gecko.Core.Hub;
using Gecko.Launch.LaunchFiles;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.LaunchFiles;

public sealed class PygeckoLaunchFileTests : IDisposable
{
    private readonly TempFolder _folder = new("gecko-pygecko-");

    public PygeckoLaunchFileTests() => _folder.Write("talk.py", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "pygecko", "talk.py")));

    private static LaunchFileError RefusedOnce(string file) =>
        Assert.Single(Assert.Throws<LaunchFileException>(() => LaunchFile.Load(file)).Errors);

    [Fact]
    public void Load_PygeckoLaunchJson_MakesOnePythonProcessPerEntryAndTheHubFromGeckocore()
    {
        var file = _folder.Write("launch.json", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "pygecko", "launch.json")));

        var plan = LaunchFile.Load(file);

        Assert.Empty(plan.Nodes);
        Assert.Equal(["publish", "subscribe", "subscribe-2"], plan.Processes.Select(p => p.Name));
        var publish = plan.Processes[0];
        Assert.Equal(ChildProcess.DebianPython, publish.Command);
        Assert.Equal(_folder.Path, publish.WorkingDirectory);
        Assert.Equal(["-u", Path.Combine(AppContext.BaseDirectory, "python", "gecko_pygecko_bootstrap.py"), "run", _folder.Path, "talk", "publish"],
            publish.Arguments.Take(6));
        var kwargs = JsonDocument.Parse(publish.Arguments[6]).RootElement;
        Assert.Equal("hello from python", kwargs.GetProperty("text").GetString());
        Assert.True(File.Exists(publish.Arguments[1]), "the bootstrap script is installed next to gecko");
        var core = CoreSettings.Create(plan.Config);
        Assert.Equal(("tcp://127.0.0.1:9998", "tcp://127.0.0.1:9999"), (core.InAddress, core.OutAddress));
    }

    [Fact]
    public void Load_PygeckoEntryWithoutKwargsAndProcessSettingsByName_AreAccepted()
    {
        var file = _folder.Write("launch.json", """{"processes": [["talk", "subscribe"]], "geckocore": {"key": "robot"}}""");

        var plan = LaunchFile.Load(file, ["gecko.processes.subscribe.restart=on-failure", "gecko.launch.process-defaults.required=true"]);

        var subscribe = Assert.Single(plan.Processes);
        Assert.Equal("{}", subscribe.Arguments[^1]);
        Assert.Equal(RestartPolicy.OnFailure, subscribe.Restart);
        Assert.True(subscribe.Required);
        Assert.Equal("robot", CoreSettings.Create(plan.Config).Key);
    }

    [Fact]
    public void Load_PygeckoUnixSockets_BecomeIpcEndpoints()
    {
        var file = _folder.Write("launch.json", """
            {"processes": [["talk", "publish"]], "geckocore": {"type": "uds", "in": "/tmp/robot-in.sock", "out": "/tmp/robot-out.sock"}}
            """);

        var core = CoreSettings.Create(LaunchFile.Load(file).Config);

        Assert.Equal(("ipc:///tmp/robot-in.sock", "ipc:///tmp/robot-out.sock"), (core.InAddress, core.OutAddress));
    }

    [Fact]
    public void Load_FunctionsDefinedConditionally_AreFoundAndOnesOnlyAScriptRunDefinesAreNot()
    {
        _folder.Write("guarded.py", """
            import sys
            try:
                from json import dumps as fancy
            except ImportError:
                def fancy(**kwargs): pass
            if sys.version_info >= (3,):
                def modern(**kwargs): pass
            if __name__ == "__main__":
                def script_only(**kwargs): pass
            """);
        var file = _folder.Write("launch.json", "{\"processes\": [\n [\"guarded\", \"fancy\"],\n [\"guarded\", \"modern\"],\n [\"guarded\", \"script_only\"]\n]}");

        var error = RefusedOnce(file);

        Assert.Equal((file, 4), (error.File, error.Line));
        Assert.StartsWith("module 'guarded' defines no function 'script_only'", error.Message);
    }

    [Fact]
    public void Load_InvalidJson_IsRefusedAtItsLine()
    {
        var file = _folder.Write("launch.json", "{\n  \"processes\": [\n    [\"talk\", \"publish\",]\n  ]\n}\n");

        var error = RefusedOnce(file);

        Assert.Equal((file, 3), (error.File, error.Line));
        Assert.StartsWith("not valid JSON", error.Message);
    }

    [Theory]
    [InlineData("{\"processes\": [\n  [\"talk\", \"publish\", {}],\n  [\"talk\"]\n]}", 3, "each process is [\"module\", \"function\", {\"kwarg\": \"value\"}]")]
    [InlineData("{\"processes\": [\n  [\"talk\", \"publish\", [1, 2]]\n]}", 2, "the kwargs [1, 2] must be a JSON object")]
    [InlineData("{\"processes\": [\n  [\"talk.py\", \"publish\"]\n]}", 2, "the module \"talk.py\" is a file name: write the module, \"talk\"")]
    [InlineData("{\"processes\": [\n  [\"my-talk\", \"publish\"]\n]}", 2, "the module \"my-talk\" is not a Python module name")]
    [InlineData("{\"processes\": [\n  [\"talk\", \"pub lish\"]\n]}", 2, "the function \"pub lish\" is not a Python function name")]
    [InlineData("{\"processes\": [\n\n  [\"tallk\", \"publish\"]\n]}", 3, "module 'tallk' not found next to the launch file")]
    [InlineData("{\"processes\": [\n  [\"talk\", \"publish\"],\n  [\"talk\", \"subscrbe\"]\n]}", 3, "module 'talk' defines no function 'subscrbe' (did you mean 'subscribe'?)")]
    [InlineData("{\"processes\": [[\"talk\", \"publish\"]],\n \"proceses\": []}", 2, "unknown key \"proceses\" (did you mean \"processes\"?)")]
    [InlineData("{\"processes\": [[\"talk\", \"publish\"]],\n \"geckocore\": {\n  \"type\": \"udp\"}}", 3, "\"type\": \"udp\" is not a transport")]
    [InlineData("{\"processes\": [[\"talk\", \"publish\"]],\n \"geckocore\": {\"type\": \"uds\",\n  \"in\": \"/tmp/in.sock\"}}", 2, "\"type\": \"uds\" needs \"out\": a socket file path")]
    [InlineData("{\"processes\": []}", 1, "\"processes\" is empty")]
    public void Load_BadPygeckoFile_IsRefusedAtTheLineOfWhatIsWrong(string json, int line, string reason)
    {
        var file = _folder.Write("launch.json", json);

        var error = RefusedOnce(file);

        Assert.Equal((file, line), (error.File, error.Line));
        Assert.Contains(reason.Replace("(did you mean \"processes\"?)", "(did you mean 'processes'?)"), error.Message);
    }

    public void Dispose() => _folder.Dispose();
}
