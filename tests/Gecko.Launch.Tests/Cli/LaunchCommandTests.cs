using Gecko.Launch.Cli;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Cli;

public sealed class LaunchCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Check_DemoLaunchFile_ListsItsNodesAndProcessesAndStartsNothing()
    {
        using var gecko = ChildProcess.Gecko(["launch", Repository.Path("hocon", "demo.conf"), "--check"]);

        Assert.Equal(0, await gecko.WaitForExitAsync(Timeout));
        await gecko.WaitForLineAsync(l => l.EndsWith("demo.conf: OK"), Timeout);
        foreach (var name in new[] { "hello-talker", "hello-listener", "hey-talker", "hey-listener", "camera", "viewer", "imu" })
            Assert.Contains($"  {name}: ", gecko.Transcript);
    }

    [Fact]
    public async Task Launch_MissingFile_IsRefusedWithExitCode2()
    {
        using var folder = new TempFolder();
        using var gecko = ChildProcess.Gecko(["launch", folder.Combine("nope.conf")]);

        Assert.Equal(LaunchCommand.Refused, await gecko.WaitForExitAsync(Timeout));
        await gecko.WaitForLineAsync(l => l.Contains("nope.conf: no such launch file"), Timeout);
    }
}
