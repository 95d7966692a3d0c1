using System.Text.RegularExpressions;
using Gecko.Launch.Cli;
using Gecko.Launch.Launching;
using Gecko.Launch.Tests.LaunchFiles;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Cli;

/// <summary>The real <c>gecko launch</c> as a child process: refusals, signals, required processes, pygecko files, the demo.</summary>
public sealed partial class LaunchCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const int SigInt = 2;
    private const int SigTerm = 15;

    private readonly TempFolder _folder = new("gecko-launch-cli-");

    public LaunchCommandTests() => Directory.CreateDirectory(_folder.Combine("core"));

    // Every launch here binds OS-chosen ports and keeps its core file and logs in the test's folder.
    private string[] Isolated => ["--plain", "--in", "tcp://127.0.0.1:0", "--out", "tcp://127.0.0.1:0",
        "--set", $"gecko.core.core-file-directory={_folder.Combine("core")}", "--run-dir", _folder.Combine("run")];

    private string HubConfig => $$"""
        gecko.core {
          in-address = "tcp://127.0.0.1:0"
          out-address = "tcp://127.0.0.1:0"
          core-file-directory = "{{_folder.Combine("core")}}"
        }
        """;

    private static ChildProcess Gecko(params string[] args) =>
        ChildProcess.Gecko(args, new Dictionary<string, string> { ["PYTHONDONTWRITEBYTECODE"] = "1" });

    [Fact]
    public async Task Check_DemoLaunchFile_ListsItsNodesAndProcessesAndStartsNothing()
    {
        using var gecko = Gecko("launch", Repository.Path("hocon", "demo.conf"), "--check");

        Assert.Equal(0, await gecko.WaitForExitAsync(Timeout));
        await gecko.WaitForLineAsync(l => l.EndsWith("demo.conf: OK"), Timeout);
        foreach (var name in new[] { "hello-talker", "hello-listener", "hey-talker", "hey-listener", "camera", "viewer", "imu" })
            Assert.Contains($"  {name}: ", gecko.Transcript);
    }

    [Fact]
    public async Task Launch_MissingFile_IsRefusedWithExitCode2()
    {
        using var gecko = Gecko("launch", _folder.Combine("nope.conf"));

        Assert.Equal(LaunchCommand.Refused, await gecko.WaitForExitAsync(Timeout));
        await gecko.WaitForLineAsync(l => l.Contains("nope.conf: no such launch file"), Timeout);
    }

    public static TheoryData<string, string, int, string> BadFiles => new()
    {
        { "syntax", "gecko.processes.broken { command = /bin/sleep, args = [1, }\n", 1, "unexpected '}' inside the array 'args'" },
        { "unknown key", "gecko.processes.broken {\n  command = /bin/sleep\n  restart-dealy = 1s\n}\n", 3, "unknown key 'restart-dealy' in process 'broken' (did you mean 'restart-delay'?)" },
        { "wrong type", "gecko.processes.broken {\n  command = /bin/sleep\n  max-restarts = lots\n}\n", 3, "max-restarts = lots is not a whole number" },
        { "missing command", "gecko.processes.broken {\n  args = [1]\n}\n", 1, "process 'broken' has no command" },
        { "missing type", "gecko.nodes.broken {\n  args { topic = hello }\n}\n", 1, "node 'broken' has no type" },
        { "no such type", "gecko.nodes.broken.type = \"Gecko.Launch.Demo.Chater, gecko\"\n", 1, "did you mean 'Gecko.Launch.Demo.Chatter, gecko'?" },
        { "not a node", "gecko.nodes.broken.type = \"System.Text.StringBuilder\"\n", 1, "is not a GeckoNode" },
        { "duplicate", "gecko.processes {\n  include \"more.conf\"\n}\n", 1, "process 'marker' is defined again here" },
        { "missing include", "\ninclude \"nope.conf\"\n", 2, "include \"nope.conf\": no such file" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Launch_BadFile_IsRefusedWithFileLineAndReasonAndStartsNothing(string kind, string defect, int defectLine, string reason)
    {
        // A good process first: if anything started, its marker file would appear.
        var marker = _folder.Combine("marker-touched");
        var good = $"{HubConfig}\ngecko.processes.marker {{ command = /bin/touch, args = [\"{marker}\"] }}\n";
        var goodLines = good.Count(c => c == '\n');
        var include = _folder.Write("more.conf", "marker { command = /bin/true }\n");
        var file = _folder.Write($"{kind.Replace(' ', '-')}.conf", good + defect);

        using var gecko = Gecko(["launch", file, .. Isolated]);

        Assert.Equal(LaunchCommand.Refused, await gecko.WaitForExitAsync(Timeout));
        var where = kind == "duplicate" ? $"{include}:1: " : $"{file}:{goodLines + defectLine}: ";
        var error = await gecko.WaitForLineAsync(l => l.StartsWith($"stderr: {where}", StringComparison.Ordinal), Timeout);
        Assert.Contains(reason, error);
        await gecko.WaitForLineAsync(l => l.Contains("refused") && l.EndsWith("nothing was started."), Timeout);
        Assert.False(File.Exists(marker), "no process may start");
        Assert.False(Directory.EnumerateFiles(_folder.Combine("core")).Any(), "no hub may start");
        Assert.False(Directory.Exists(_folder.Combine("run")), "no run directory is made");
    }

    [Fact]
    public async Task Launch_HubEndpointTaken_ExitsWith1BeforeAnyProcessStarts()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var marker = _folder.Combine("marker-touched");
        var file = _folder.Write("robot.conf", $$"""
            {{HubConfig}}
            gecko.processes.marker { command = /bin/touch, args = ["{{marker}}"] }
            """);

        using var gecko = Gecko("launch", file, "--plain", "--in", $"tcp://127.0.0.1:{port}", "--run-dir", _folder.Combine("run"));

        Assert.Equal(Launcher.HubFailed, await gecko.WaitForExitAsync(Timeout));
        await gecko.WaitForLineAsync(l => l.StartsWith("stderr: gecko launch: ", StringComparison.Ordinal) && l.Contains(port.ToString()), Timeout);
        Assert.False(File.Exists(marker), "no process may start without its hub");
    }

    [Theory]
    [InlineData(SigInt)]
    [InlineData(SigTerm)]
    public async Task Launch_StopSignal_StopsEveryChildWithinTheStopTimeoutsEvenOneIgnoringSigint(int signal)
    {
        var file = _folder.Write("robot.conf", $$"""
            {{HubConfig}}
            gecko {
              nodes.talker.type = "Gecko.Launch.Demo.Chatter, gecko"
              processes {
                sleeper { command = /bin/sleep, args = ["600"] }
                # The shell ignores SIGINT, and so does its background child: only SIGTERM (or SIGKILL) ends them.
                stubborn {
                  command = /bin/sh
                  args = ["-c", "trap '' INT; /bin/sleep 600 & echo child $!; wait"]
                  sigint-timeout = 1s
                  sigterm-timeout = 2s
                }
              }
            }
            """);
        using var gecko = Gecko(["launch", file, .. Isolated]);
        var child = int.Parse((await gecko.WaitForLineAsync(l => l.StartsWith("[stubborn] child "), Timeout))["[stubborn] child ".Length..]);
        await Eventually.UntilAsync(() => ProcessTable.DescendantsOf(gecko.Pid).Count >= 3, Timeout, "the launcher's three child processes");
        var children = ProcessTable.DescendantsOf(gecko.Pid);
        Assert.Contains(child, children);

        gecko.Signal(signal);

        // SIGINT, 1 s, SIGTERM, 2 s, SIGKILL: well within the bound, which only guards against a hang.
        Assert.Equal(0, await gecko.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var alive = children.Where(ProcessTable.IsAlive).ToList();
        Assert.True(alive.Count == 0, $"still running: {string.Join(", ", alive.Select(p => $"{p} {ProcessTable.CommandLine(p)}"))}\n{gecko.Transcript}");
        await gecko.WaitForLineAsync(l => l.Contains("[stubborn] still running 1 s after SIGINT: sending SIGTERM"), Timeout);
    }

    [Fact]
    public async Task Launch_RequiredProcessEnds_StopsEverythingAndExitsWith3()
    {
        var file = _folder.Write("robot.conf", $$"""
            {{HubConfig}}
            gecko.processes {
              bystander { command = /bin/sh, args = ["-c", "echo pid $$; exec /bin/sleep 600"] }
              vital { command = /bin/sh, args = ["-c", "echo up; /bin/sleep 1; exit 4"], required = true }
            }
            """);
        using var gecko = Gecko(["launch", file, .. Isolated]);
        var bystander = int.Parse((await gecko.WaitForLineAsync(l => l.StartsWith("[bystander] pid "), Timeout))["[bystander] pid ".Length..]);

        Assert.Equal(Launcher.RequiredProcessEnded, await gecko.WaitForExitAsync(Timeout));
        Assert.False(ProcessTable.IsAlive(bystander), "the bystander must be stopped too");
        await gecko.WaitForLineAsync(l => l.Contains("required process vital exited with code 4: stopping everything"), Timeout);
    }

    [Fact]
    public async Task Launch_PygeckoJsonFile_RunsItsPythonFunctionsWithTheirKwargsAndTheirMessagesPassTheHub()
    {
        var launch = Path.Combine(AppContext.BaseDirectory, "pygecko", "launch.json");
        using var gecko = Gecko(["launch", launch, .. Isolated, "--set", "gecko.core.stats-interval=500ms"]);

        // Processes and the dashboard write independently: collect what is needed in whatever order it comes.
        string? header = null, kwargs = null;
        var heard = new HashSet<string>();
        var reports = new PlainReports();
        await gecko.WaitForLineAsync(line =>
        {
            if (line.StartsWith("== ", StringComparison.Ordinal)) header ??= line;
            if (line.StartsWith("[publish] publish kwargs ", StringComparison.Ordinal)) kwargs = line;
            if (line.Contains("] got chat: hello from python #", StringComparison.Ordinal)) heard.Add(line[..line.IndexOf(']')]);
            var flowing = reports.Feed(line) && reports.Last!.TopicRates.GetValueOrDefault("chat") > 0
                && reports.Last.Processes.IsSupersetOf(["publish", "subscribe", "subscribe-2"]);
            return flowing && header is not null && kwargs is not null && heard.SetEquals(["[subscribe", "[subscribe-2"]);
        }, Timeout);
        var (hubIn, hubOut) = Addresses(header!);
        Assert.Contains($"\"geckocore\": {{\"in_addr\": \"{hubIn}\", \"out_addr\": \"{hubOut}\"}}", kwargs);
        Assert.Contains("\"text\": \"hello from python\", \"topic\": \"chat\"", kwargs);

        gecko.Signal(SigInt);

        Assert.Equal(0, await gecko.WaitForExitAsync(Timeout));
        await gecko.WaitForLineAsync(l => l.StartsWith("[publish] publish stopping after "), Timeout);
    }

    [Fact]
    public async Task Launch_NodeFromAProject_IsBuiltLoadedAndDeployed()
    {
        var file = _folder.Write("robot.conf", $$"""
            {{HubConfig}}
            gecko.core.stats-interval = 500ms
            gecko.nodes.greeter {
              type = Gecko.Launch.TestNodes.Greeter
              project = "{{TestNodes.ProjectPath}}"
              args { topic = greetings, text = "from a project" }
            }
            """);
        using var gecko = Gecko(["launch", file, .. Isolated]);

        var reports = new PlainReports();
        await gecko.WaitForLineAsync(l => reports.Feed(l) && reports.Last!.TopicRates.GetValueOrDefault("greetings") > 0, TimeSpan.FromMinutes(3));

        gecko.Signal(SigTerm);
        Assert.Equal(0, await gecko.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task Launch_Demo_RunsHeadlessAndItsReportShowsEveryTopicFlowingAndEveryProcess()
    {
        using var gecko = Gecko(["launch", Repository.Path("hocon", "demo.conf"), .. Isolated, "--set", "gecko.core.stats-interval=1s"]);

        // About ten seconds of reports, each a second apart: the condition is checked on every one of them.
        var reports = new PlainReports();
        string[] topics = ["hello", "hey there", "cv", "imu"];
        string[] processes = ["camera", "viewer", "imu"];
        await gecko.WaitForLineAsync(l => reports.Feed(l) && reports.Completed.Count >= 10
            && topics.All(t => reports.Last!.TopicRates.GetValueOrDefault(t) > 0) && reports.Last!.Processes.IsSupersetOf(processes),
            TimeSpan.FromMinutes(2));
        var last = reports.Last!;
        // The camera's images are ~1 MB each (its rate, 15 Hz, is the benchmarks' business, not a test's).
        Assert.InRange(last.TopicKilobytes["cv"] / last.TopicRates["cv"], 900, 1100);
        var children = ProcessTable.DescendantsOf(gecko.Pid);

        gecko.Signal(SigInt);

        Assert.Equal(0, await gecko.WaitForExitAsync(Timeout));
        Assert.DoesNotContain(children, ProcessTable.IsAlive);
        foreach (var name in processes) Assert.True(File.Exists(_folder.Combine("run", $"{name}.log")), $"{name}.log in the run directory");
    }

    private static (string In, string Out) Addresses(string header)
    {
        var match = HeaderAddresses().Match(header);
        Assert.True(match.Success, $"no addresses in the report header: {header}");
        return (match.Groups[1].Value, match.Groups[2].Value);
    }

    [GeneratedRegex(@" in (tcp://\S+)\s+out (tcp://\S+)")]
    private static partial Regex HeaderAddresses();

    public void Dispose() => _folder.Dispose();
}
