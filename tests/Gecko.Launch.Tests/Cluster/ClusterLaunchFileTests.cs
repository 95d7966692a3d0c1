using Gecko.Core.Cluster;
using Gecko.Launch.Cli;
using Gecko.Launch.LaunchFiles;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Cluster;

/// <summary>Launch files and flags for the cluster: placement by role needs it, and a bad setting is refused before anything starts.</summary>
public sealed class ClusterLaunchFileTests : IDisposable
{
    private readonly TempFolder _folder = new("gecko-cluster-launch-test-");

    public void Dispose() => _folder.Dispose();

    private const string PlacedNode = """
        gecko {
          nodes {
            talker {
              type = "Gecko.Launch.Demo.Chatter, gecko"
              role = pi
            }
          }
        }
        """;

    [Fact]
    public void Load_NodeWithARoleWithoutTheCluster_IsRefusedAtTheRole()
    {
        var file = _folder.Write("placed.conf", PlacedNode);

        var errors = Assert.Throws<LaunchFileException>(() => LaunchFile.Load(file)).Errors;

        var error = Assert.Single(errors);
        Assert.Equal((file, 5), (error.File, error.Line));
        Assert.Contains("node 'talker' is placed by role 'pi', but this launch is not in a cluster", error.Message);
    }

    [Fact]
    public void Load_NodeWithARoleWithTheClusterFlags_IsPlacedByItsRole()
    {
        var file = _folder.Write("placed.conf", PlacedNode);
        var flags = new ClusterFlags(false, ["10.0.0.1:4053"], "10.0.0.2", 0, ["laptop"]);

        var plan = LaunchFile.Load(file, flags.Overrides().ToList());

        Assert.Equal("pi", Assert.Single(plan.Nodes).Role);
        var cluster = ClusterSettings.Create(plan.Config);
        Assert.True(cluster.Enabled);
        Assert.Equal(["akka.tcp://gecko@10.0.0.1:4053"], cluster.SeedNodes);
        Assert.Equal(("10.0.0.2", 0), (cluster.Hostname, cluster.Port));
        Assert.Equal(["laptop"], cluster.Roles);
        Assert.Contains("cluster: 10.0.0.2:0 roles laptop; joins through akka.tcp://gecko@10.0.0.1:4053", LaunchCommand.Describe(plan));
    }

    [Fact]
    public void Load_BadClusterSettings_AreRefusedAtTheirLine()
    {
        var file = _folder.Write("bad.conf", """
            gecko.cluster {
              enabled = on
              send-window = 0
              split-brain-resolver.strategy = lease-majority
              nonsense = 1
            }
            """);

        var errors = Assert.Throws<LaunchFileException>(() => LaunchFile.Load(file)).Errors;

        Assert.Contains(errors, e => e.Line == 5 && e.Message.Contains("unknown key 'gecko.cluster.nonsense'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.File == file && e.Message.Contains("gecko.cluster", StringComparison.Ordinal) && e.Line is 3 or 4);
    }

    [Theory]
    [InlineData("--cluster-seed", "robot", "is not host:port")]
    [InlineData("--cluster-port", "70000", "--cluster-port 70000 is out of range")]
    [InlineData("--role", "pi robot", "is not a role name")]
    [InlineData("--cluster-host", "a b", "is not a host")]
    public async Task Launch_BadClusterFlag_ExitsWithTwoAndSaysWhatIsWrong(string flag, string value, string expected)
    {
        var file = _folder.Write("empty.conf", "gecko.core.stats-interval = 1s\n");
        using var gecko = ChildProcess.Gecko(["launch", file, flag, value, "--check"]);

        var (code, lines) = await gecko.RunToEndAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(LaunchCommand.Refused, code);
        Assert.Contains(lines, l => l.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Core_BadClusterFlag_ExitsWithTwoAndSaysWhatIsWrong()
    {
        using var gecko = ChildProcess.Gecko(["core", "--cluster-seed", "akka.tcp://other@robot:4053"]);

        var (code, lines) = await gecko.RunToEndAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, code);
        Assert.Contains(lines, l => l.Contains("gecko core: --cluster-seed: 'akka.tcp://other@robot:4053' is not a Gecko host's address", StringComparison.Ordinal));
    }
}
