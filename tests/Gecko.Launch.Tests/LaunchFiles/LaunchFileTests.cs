using Gecko.Launch.LaunchFiles;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.LaunchFiles;

public sealed class LaunchFileTests : IDisposable
{
    private readonly TempFolder _folder = new("gecko-launchfile-");

    private string Write(string name, string text) => _folder.Write(name, text);

    private static IReadOnlyList<LaunchFileError> Refused(string file, params string[] overrides) =>
        Assert.Throws<LaunchFileException>(() => LaunchFile.Load(file, overrides)).Errors;

    private static void AssertError(IReadOnlyList<LaunchFileError> errors, string file, int line, string reason) =>
        Assert.True(errors.Any(e => e.File == file && e.Line == line && e.Message.Contains(reason, StringComparison.Ordinal)),
            $"Expected {file}:{line}: …{reason}… among:\n{string.Join('\n', errors)}");

    [Fact]
    public void Load_DemoLaunchFile_ReadsItsNodesAndProcesses()
    {
        var plan = LaunchFile.Load(Repository.Path("hocon", "demo.conf"));

        Assert.Equal(["hello-talker", "hello-listener", "hey-talker", "hey-listener"], plan.Nodes.Select(n => n.Name));
        Assert.All(plan.Nodes, n => Assert.Equal("Gecko.Launch.Demo", n.Type.Namespace));
        Assert.Equal("hey there", plan.Nodes[2].Arguments["topic"]);
        Assert.Equal(["camera", "viewer", "imu"], plan.Processes.Select(p => p.Name));
        var camera = plan.Processes[0];
        Assert.Equal("gecko", camera.Command);
        Assert.Equal(["demo-node", "camera", "--topic", "cv", "--hz", "15", "--size", "1000000"], camera.Arguments);
        Assert.Equal(RestartPolicy.OnFailure, camera.Restart);
    }

    [Theory]
    [InlineData("hocon/demo.conf", 4, 3)]
    [InlineData("hocon/reference-launch.conf", 1, 1)]
    [InlineData("examples/pygecko/launch.json", 0, 4)]
    public void Load_ShippedLaunchFiles_AreValid(string file, int nodes, int processes)
    {
        var plan = LaunchFile.Load(Repository.Path(file.Split('/')));

        Assert.Equal((nodes, processes), (plan.Nodes.Count, plan.Processes.Count));
    }

    [Fact]
    public void Load_ReferenceLaunchFile_IsValidAndSpellsOutEveryKeyOfEveryKindOfEntry()
    {
        var path = Repository.Path("hocon", "reference-launch.conf");

        var plan = LaunchFile.Load(path);

        Assert.Equal("talker", Assert.Single(plan.Nodes).Name);
        Assert.Equal("camera", Assert.Single(plan.Processes).Name);
        var written = Akka.Configuration.ConfigurationFactory.ParseString(File.ReadAllText(path));
        var defaults = LaunchSettings.Defaults;
        foreach (var (section, entry, required) in new[] { ("node-defaults", "gecko.nodes.talker", "type"), ("process-defaults", "gecko.processes.camera", "command") })
        {
            var keys = defaults.GetValue($"gecko.launch.{section}").GetObject().Items.Keys.Append(required);
            Assert.Equal(keys.Order(), written.GetValue(entry).GetObject().Items.Keys.Order());
            Assert.Equal(defaults.GetValue($"gecko.launch.{section}").GetObject().Items.Keys.Order(),
                written.GetValue($"gecko.launch.{section}").GetObject().Items.Keys.Order());
        }
        Assert.Equal(defaults.GetValue("gecko.launch").GetObject().Items.Keys.Order(), written.GetValue("gecko.launch").GetObject().Items.Keys.Order());
    }

    [Fact]
    public void Load_EntriesWithOnlyTheirRequiredKey_GetEveryDefaultOfReferenceConf()
    {
        var file = Write("minimal.conf", """
            gecko.nodes.talker.type = "Gecko.Launch.Demo.Chatter, gecko"
            gecko.processes.sleeper.command = /bin/sleep
            """);

        var plan = LaunchFile.Load(file);

        var node = Assert.Single(plan.Nodes);
        Assert.Equal(1, node.Count);
        Assert.Empty(node.Arguments);
        Assert.Null(node.Role);
        var process = Assert.Single(plan.Processes);
        Assert.Equal("/bin/sleep", process.Command);
        Assert.Empty(process.Arguments);
        Assert.Equal(_folder.Path, process.WorkingDirectory);
        Assert.Equal(new Dictionary<string, string> { ["PYTHONUNBUFFERED"] = "1" }, process.Environment);
        Assert.Equal(RestartPolicy.Never, process.Restart);
        Assert.Equal(TimeSpan.FromSeconds(1), process.RestartDelay);
        Assert.Equal(5, process.MaxRestarts);
        Assert.Equal(TimeSpan.FromSeconds(60), process.RestartWindow);
        Assert.False(process.Required);
        Assert.Equal(TimeSpan.FromSeconds(5), process.SigintTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), process.SigtermTimeout);
        Assert.Equal("", LaunchSettings.Default.RunDirectory);
        Assert.Equal("/usr/bin/python3", LaunchSettings.Default.Python);
    }

    [Fact]
    public void Load_ProcessDefaultsSetInTheFile_ApplyToEveryProcessUnderItsOwnSettings()
    {
        var file = Write("defaults.conf", """
            gecko {
              launch.process-defaults {
                restart = always
                restart-delay = 250ms
                environment { ROBOT = gecko }
              }
              processes {
                a { command = /bin/sleep }
                b { command = /bin/sleep, restart = never, environment { EXTRA = "1" } }
              }
            }
            """);

        var plan = LaunchFile.Load(file);

        var (a, b) = (plan.Processes[0], plan.Processes[1]);
        Assert.Equal((RestartPolicy.Always, TimeSpan.FromMilliseconds(250)), (a.Restart, a.RestartDelay));
        Assert.Equal((RestartPolicy.Never, TimeSpan.FromMilliseconds(250)), (b.Restart, b.RestartDelay));
        Assert.Equal("gecko", a.Environment["ROBOT"]);
        Assert.Equal(["EXTRA", "PYTHONUNBUFFERED", "ROBOT"], b.Environment.Keys.Order());
    }

    [Fact]
    public void Load_Includes_AreRelativeToTheIncludingFileAndMergeWhereTheyStand()
    {
        Write("robot/sensors/imu.conf", "imu { command = ./imu.sh, working-directory = \"..\" }\n");
        Write("robot/sensors/imu.sh", "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(_folder.Combine("robot", "sensors", "imu.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Write("robot/base.conf", """
            gecko.core.stats-interval = 1s
            gecko.processes { include "sensors/imu.conf" }
            """);
        var file = Write("robot.conf", """
            include "robot/base.conf"
            gecko.core.stats-interval = 2s
            """);

        var plan = LaunchFile.Load(file);

        var imu = Assert.Single(plan.Processes);
        Assert.Equal(_folder.Combine("robot", "sensors", "imu.sh"), imu.Command);
        Assert.Equal(_folder.Combine("robot"), imu.WorkingDirectory);
        Assert.Equal(TimeSpan.FromSeconds(2), Core.Hub.CoreSettings.Create(plan.Config).StatsInterval);
    }

    [Fact]
    public void Load_SetOverrides_WinOverTheFile()
    {
        var file = Write("robot.conf", "gecko.processes.cam { command = /bin/sleep, args = [1] }\n");

        var plan = LaunchFile.Load(file, ["gecko.processes.cam.args=[2, 3]", "gecko.processes.cam.restart=on-failure", "gecko.core.in-address=tcp://127.0.0.1:0"]);

        var cam = Assert.Single(plan.Processes);
        Assert.Equal(["2", "3"], cam.Arguments);
        Assert.Equal(RestartPolicy.OnFailure, cam.Restart);
        Assert.Equal("tcp://127.0.0.1:0", Core.Hub.CoreSettings.Create(plan.Config).InAddress);
    }

    [Theory]
    [InlineData("[]", new string[0])]
    [InlineData("[ ]", new string[0])]
    [InlineData("[\"\", x]", new[] { "", "x" })]
    [InlineData("[--hz, 15, 2.5, true, \"two words\", \"{hub-in}\"]", new[] { "--hz", "15", "2.5", "true", "two words", "{hub-in}" })]
    [InlineData("[\n  a  # first\n  b\n]", new[] { "a", "b" })]
    public void Load_ProcessArguments_AreTakenElementByElementAsWritten(string args, string[] expected)
    {
        var file = Write("args.conf", $"gecko.processes.p {{ command = /bin/echo, args = {args} }}\n");

        Assert.Equal(expected, Assert.Single(LaunchFile.Load(file).Processes).Arguments);
    }

    [Fact]
    public void Load_SyntaxError_IsRefusedAtItsLine()
    {
        var file = Write("broken.conf", "gecko {\n  processes {\n    cam { command = /bin/sleep, args = [1, }\n  }\n}\n");

        var error = Assert.Single(Refused(file));

        Assert.Equal((file, 3), (error.File, error.Line));
        Assert.Contains("unexpected '}' inside the array 'args'", error.Message);
    }

    [Fact]
    public void Load_SyntaxErrorInAnIncludedFile_PointsIntoThatFile()
    {
        var included = Write("parts/cams.conf", "\n\ncam { command = \"/bin/sleep }\n");
        var file = Write("robot.conf", "gecko.processes {\n  include \"parts/cams.conf\"\n}\n");

        var error = Assert.Single(Refused(file));

        Assert.Equal((included, 3), (error.File, error.Line));
        Assert.Contains("string is not closed", error.Message);
    }

    [Fact]
    public void Load_UnknownKeys_AreRefusedEachAtItsLineWithTheClosestKnownKey()
    {
        var file = Write("typos.conf", """
            gecko {
              nodes {
                talker {
                  type = "Gecko.Launch.Demo.Chatter, gecko"
                  cout = 2
                }
              }
              processes {
                cam {
                  command = /bin/sleep
                  reqired = true
                }
              }
              proceses { }
              core { stats-intervall = 1s }
            }
            geko { }
            """);

        var errors = Refused(file);

        AssertError(errors, file, 5, "unknown key 'cout' in node 'talker' (did you mean 'count'?)");
        AssertError(errors, file, 11, "unknown key 'reqired' in process 'cam' (did you mean 'required'?)");
        AssertError(errors, file, 14, "unknown key 'gecko.proceses' (did you mean 'processes'?)");
        AssertError(errors, file, 15, "unknown key 'gecko.core.stats-intervall' (did you mean 'stats-interval'?)");
        AssertError(errors, file, 17, "unknown key 'geko' (did you mean 'gecko'?)");
        Assert.Equal(5, errors.Count);
        Assert.Equal(errors.OrderBy(e => e.Line), errors);
    }

    [Fact]
    public void Load_ValuesOfTheWrongType_AreRefusedEachAtItsLine()
    {
        var file = Write("types.conf", """
            gecko {
              core.stats-interval = fast
              core.max-topics = lots
              nodes.talker {
                type = "Gecko.Launch.Demo.Chatter, gecko"
                count = many
                args = [a, b]
              }
              processes.cam {
                command = /bin/sleep
                args = "--hz 15"
                restart = sometimes
                restart-delay = soon
                max-restarts = -1
                required = maybe
                environment = [A, B]
              }
            }
            """);

        var errors = Refused(file);

        AssertError(errors, file, 2, "gecko.core.stats-interval = fast is not a duration");
        AssertError(errors, file, 3, "gecko.core.max-topics = lots is not a whole number");
        AssertError(errors, file, 6, "count = many is not a whole number from 1 to 1000");
        AssertError(errors, file, 7, "args must be an object of names to values");
        AssertError(errors, file, 11, "args is one string; give an array with one element per argument");
        AssertError(errors, file, 12, "restart = sometimes is not a restart policy");
        AssertError(errors, file, 13, "restart-delay = soon is not a duration");
        AssertError(errors, file, 14, "max-restarts = -1 is not a whole number of 0 or more");
        AssertError(errors, file, 15, "required = maybe is not a boolean");
        AssertError(errors, file, 16, "environment must be an object of names to values");
    }

    [Fact]
    public void Load_EntryWithoutTypeOrCommand_IsRefusedWhereTheEntryStarts()
    {
        var file = Write("missing.conf", "gecko {\n  nodes.talker { args { topic = hi } }\n  processes {\n    cam {\n      args = [1]\n    }\n  }\n}\n");

        var errors = Refused(file);

        AssertError(errors, file, 2, "node 'talker' has no type");
        AssertError(errors, file, 4, "process 'cam' has no command");
    }

    [Fact]
    public void Load_NodeTypesThatCannotRun_AreRefusedWithWhatIsWrong()
    {
        var file = Write("types.conf", $$"""
            gecko.nodes {
              typo { type = "Gecko.Launch.Demo.Chater, gecko" }
              string { type = "System.Text.StringBuilder" }
              abstract { type = Gecko.Launch.TestNodes.UnfinishedNode, assembly = "{{TestNodes.AssemblyPath}}" }
              nowhere { type = "Some.Node, NoSuchAssembly" }
              missing-dll { type = Some.Node, assembly = "nodes/missing.dll" }
            }
            """);

        var errors = Refused(file);

        AssertError(errors, file, 2, "type 'Gecko.Launch.Demo.Chater' not found in assembly 'gecko' (did you mean 'Gecko.Launch.Demo.Chatter, gecko'?)");
        AssertError(errors, file, 3, "type 'System.Text.StringBuilder' is not a GeckoNode");
        AssertError(errors, file, 4, "type 'Gecko.Launch.TestNodes.UnfinishedNode' is abstract");
        AssertError(errors, file, 5, "assembly 'NoSuchAssembly' of type 'Some.Node, NoSuchAssembly' cannot be loaded");
        AssertError(errors, file, 6, $"assembly = nodes/missing.dll: no such file ({_folder.Combine("nodes", "missing.dll")})");
    }

    [Fact]
    public void Load_NodeTypeInAnAssemblyGivenByPath_IsLoaded()
    {
        var file = Write("nodes.conf", $$"""
            gecko.nodes.greeter { type = Gecko.Launch.TestNodes.Greeter, assembly = "{{TestNodes.AssemblyPath}}", count = 2 }
            """);

        var node = Assert.Single(LaunchFile.Load(file).Nodes);

        Assert.Equal("Gecko.Launch.TestNodes.Greeter", node.Type.FullName);
        Assert.Equal(TestNodes.AssemblyPath, node.Type.Assembly.Location);
        Assert.Equal(2, node.Count);
    }

    [Fact]
    public void Load_DuplicateNames_AreRefusedAtTheSecondDefinition()
    {
        var included = Write("more.conf", "cam { command = /bin/true }\n");
        var file = Write("dups.conf", """
            gecko {
              processes {
                cam { command = /bin/sleep }
                include "more.conf"
                talker { command = /bin/sleep }
              }
              nodes {
                talker { type = "Gecko.Launch.Demo.Chatter, gecko" }
                listener { type = "Gecko.Launch.Demo.Chatterbox, gecko", count = 2 }
                listener-2 { type = "Gecko.Launch.Demo.Chatterbox, gecko" }
              }
            }
            gecko.nodes.talker { type = "Gecko.Launch.Demo.Chatterbox, gecko" }
            """);

        var errors = Refused(file);

        AssertError(errors, included, 1, $"process 'cam' is defined again here (first at {file}:3)");
        AssertError(errors, file, 13, $"node 'talker' is defined again here (first at {file}:8)");
        AssertError(errors, file, 8, "node 'talker' has the same name as process 'talker'");
        AssertError(errors, file, 9, "node 'listener' with count = 2 names an instance 'listener-2', which is taken by node 'listener-2'");
    }

    [Fact]
    public void Load_MissingOrCyclicInclude_IsRefusedAtTheIncludeLine()
    {
        var loop = Write("loop.conf", "\ninclude \"cycle.conf\"\n");
        Write("cycle.conf", "include \"loop.conf\"\n");
        var file = Write("robot.conf", "gecko.core.stats-interval = 1s\ninclude \"nope.conf\"\ninclude \"loop.conf\"\n");

        var errors = Refused(file);

        AssertError(errors, file, 2, $"include \"nope.conf\": no such file ({_folder.Combine("nope.conf")})");
        AssertError(errors, _folder.Combine("cycle.conf"), 1, "include \"loop.conf\" includes itself in a loop (robot.conf → loop.conf → cycle.conf → loop.conf)");
        Assert.Equal(2, errors.Count);
        _ = loop;
    }

    [Fact]
    public void Load_CommandsThatCannotRun_AreRefusedBeforeAnythingStarts()
    {
        Write("tools/not-executable.sh", "#!/bin/sh\n");
        var file = Write("commands.conf", """
            gecko.processes {
              typo { command = pyhton3 }
              missing { command = ./tools/missing.sh }
              plain { command = ./tools/not-executable.sh }
              shell-line { command = "sleep 10" }
            }
            """);

        var errors = Refused(file);

        AssertError(errors, file, 2, "command 'pyhton3' is not on PATH");
        AssertError(errors, file, 3, $"command './tools/missing.sh' does not exist ({_folder.Combine("tools", "missing.sh")})");
        AssertError(errors, file, 4, "command './tools/not-executable.sh' is not executable");
        AssertError(errors, file, 5, "command 'sleep 10' holds spaces: no shell splits it");
    }

    [Fact]
    public void Load_BadCoreSettingsAndOverrides_AreRefusedWhereTheyAreWritten()
    {
        var file = Write("core.conf", "gecko {\n  core {\n    in-address = \"udp://127.0.0.1:1\"\n  }\n}\n");

        var errors = Refused(file, "no-equals-sign", "gecko.core.bogus=1");

        AssertError(errors, file, 3, "gecko.core.in-address = 'udp://127.0.0.1:1' is neither a tcp:// nor an ipc:// endpoint");
        AssertError(errors, "--set no-equals-sign", 0, "expected KEY=VALUE");
        Assert.Equal("--set no-equals-sign: expected KEY=VALUE with a dotted key, e.g. --set gecko.core.stats-interval=1s or --set gecko.processes.camera.restart=always",
            errors.Single(e => e.File == "--set no-equals-sign").ToString());
    }

    [Fact]
    public void Load_SubstitutionsFromVars_AreResolvedAndAMissingOneIsRefusedAtItsLine()
    {
        var good = Write("vars.conf", "vars { hz = 15 }\ngecko.processes.cam { command = /bin/sleep, args = [--hz, ${vars.hz}] }\n");
        var bad = Write("bad-vars.conf", "vars { hz = 15 }\n\ngecko.processes.cam { command = /bin/sleep, args = [--hz, ${vars.rate}] }\n");

        Assert.Equal(["--hz", "15"], Assert.Single(LaunchFile.Load(good).Processes).Arguments);
        var error = Assert.Single(Refused(bad));
        Assert.Equal((bad, 3), (error.File, error.Line));
        Assert.Contains("${vars.rate} refers to a key that is not set", error.Message);
    }

    public void Dispose() => _folder.Dispose();
}
