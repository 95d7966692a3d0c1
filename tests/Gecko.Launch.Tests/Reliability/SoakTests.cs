using System.Text.RegularExpressions;
using Gecko.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Gecko.Launch.Tests.Reliability;

/// <summary>
/// The reliability soak as a user runs it, for 30 seconds instead of ten minutes: <c>gecko bench --soak --duration 30</c>
/// publishes 20 000 msgs/s of mixed topics through a gecko core; at the end every subscriber has every message in
/// order, the hub dropped and refused nothing, and its memory did not grow.
/// </summary>
[Collection("reliability")]
public sealed partial class SoakTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"^  (soak/\S+)\s+sent\s+([\d,]+)\s+received ([\d,]+) / ([\d,]+)\s+lost (\d+)\s+out of order (\d+)\s+hub dropped (\d+)$")]
    private static partial Regex TopicLine();

    [Fact]
    public async Task Soak_ThirtySecondsAtTwentyThousandPerSecond_LosesNothingAndMemoryStaysFlat()
    {
        using var temp = new TempFolder("gecko-soak-test-");
        using var soak = ChildProcess.Gecko(["bench", "--soak", "--duration", "30"], new Dictionary<string, string> { ["TMPDIR"] = temp.Path });
        var (code, lines) = await soak.RunToEndAsync(TimeSpan.FromMinutes(4));
        foreach (var line in lines) output.WriteLine(line);

        Assert.True(code == 0, $"exit code {code}\n{string.Join('\n', lines)}");
        Assert.Contains("soak: PASSED", lines);
        var topics = lines.Select(l => TopicLine().Match(l)).Where(m => m.Success).ToArray();
        Assert.Equal(["soak/imu", "soak/odom", "soak/scan", "soak/image"], topics.Select(m => m.Groups[1].Value));
        foreach (var topic in topics)
        {
            Assert.Equal(topic.Groups[2].Value, topic.Groups[3].Value);
            Assert.Equal(topic.Groups[2].Value, topic.Groups[4].Value);
            Assert.Equal(("0", "0", "0"), (topic.Groups[5].Value, topic.Groups[6].Value, topic.Groups[7].Value));
        }
        // 30 s at 20 000 msgs/s, half of it on soak/imu: the load was the one asked for.
        Assert.True(long.Parse(topics[0].Groups[2].Value.Replace(",", "")) >= 290_000, topics[0].Value);
    }
}
