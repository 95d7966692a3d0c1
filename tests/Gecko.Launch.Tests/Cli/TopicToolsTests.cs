using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Actor;
using Gecko.Core.Messages;
using Gecko.Core.Routing;
using Gecko.Testing;
using NetMQ;
using Xunit;

namespace Gecko.Launch.Tests.Cli;

/// <summary><c>gecko topic list|echo|hz|bw|pub</c> as real child processes against known traffic through a real hub.</summary>
public sealed partial class TopicToolsTests : ToolSpec
{
    [GeneratedRegex(@"^average rate: (?<hz>[0-9.]+)$")]
    private static partial Regex AverageRate();

    [GeneratedRegex(@"^\tmin: [0-9.]+s max: [0-9.]+s std dev: [0-9.]+s window: (?<window>\d+)$")]
    private static partial Regex RateDetails();

    [Fact]
    public async Task TopicHz_PublisherAt50Hz_ReportsFiftyPerSecond()
    {
        using var hz = Tool("topic", "hz", "hz-topic", "--window", "100");
        await ExternalSubscriberOfAsync("hz-topic", hz);
        using var publisher = Tool("topic", "pub", "hz-topic", "1", "--rate", "50");

        // The first report with a full window: 100 messages over the last two seconds.
        double rate = 0;
        for (var reports = 0; ; reports++)
        {
            Assert.True(reports < 30, $"no report with a full window:\n{hz.Transcript}\n{publisher.Transcript}");
            var line = await hz.WaitForLineAsync(l => AverageRate().IsMatch(l), Timeout);
            var details = RateDetails().Match(await hz.WaitForLineAsync(l => l.StartsWith('\t'), Timeout));
            Assert.True(details.Success, hz.Transcript);
            if (details.Groups["window"].Value != "100") continue;
            rate = double.Parse(AverageRate().Match(line).Groups["hz"].Value, CultureInfo.InvariantCulture);
            break;
        }

        Assert.InRange(rate, 45, 55);
    }

    [Fact]
    public async Task TopicBw_FixedSizes_ReportsTheExactMeanSizeAndARate()
    {
        using var bw = Tool("topic", "bw", "bw-topic", "--window", "40");
        await ExternalSubscriberOfAsync("bw-topic", bw);
        // A 200-character string: MessagePack str 8, two header bytes and the text, 202 bytes each.
        using var publisher = Tool("topic", "pub", "bw-topic", $"\"{new string('x', 200)}\"", "--rate", "20");

        var line = await bw.WaitForLineAsync(l => l.StartsWith("\tmean:", StringComparison.Ordinal) && l.EndsWith("window: 40", StringComparison.Ordinal), Timeout);
        var average = bw.Transcript.Split('\n').Last(l => l.StartsWith("average:", StringComparison.Ordinal));

        Assert.Equal("\tmean: 202 B min: 202 B max: 202 B window: 40", line);
        // 20 messages of 202 bytes a second over the last two seconds, give or take what the shared machine's load does
        // to the publisher's schedule.
        var bytesPerSecond = double.Parse(Regex.Match(average, @"^average: ([0-9.]+) (k?B)/s$").Groups[1].Value, CultureInfo.InvariantCulture)
                             * (average.Contains("kB/s") ? 1000 : 1);
        Assert.InRange(bytesPerSecond, 202 * 20 * 0.5, 202 * 20 * 1.5);
    }

    public static TheoryData<string, string> StandardMessages() => new()
    {
        { "vector", """vector {"x":1.0,"y":-2.5,"z":3.25}""" },
        { "quaternion", """quaternion {"w":1.0,"x":0.0,"y":0.5,"z":-0.25}""" },
        { "wrench", """wrench {"force":{"x":1.0,"y":-2.5,"z":3.25},"torque":{"x":0.1,"y":0.2,"z":0.3}}""" },
        { "pose", """pose {"position":{"x":1.0,"y":-2.5,"z":3.25},"orientation":{"w":1.0,"x":0.0,"y":0.5,"z":-0.25}}""" },
        { "twist", """twist {"linear":{"x":0.5,"y":0.0,"z":0.0},"angular":{"x":0.0,"y":0.0,"z":1.5}}""" },
        { "imu", """imu {"linear_accel":{"x":0.0,"y":0.0,"z":9.81},"angular_vel":{"x":0.01,"y":0.02,"z":0.03},"magnetic_field":{"x":20.0,"y":-5.0,"z":40.0},"timestamp":1537100000.25}""" },
        { "joystick", """joystick {"axes":[0.0,0.5,-1.0],"buttons":[0,1,0,1],"type":"ps4","timestamp":1537100000.5}""" },
        { "image", """image {"shape":[2,3,1],"bytes":"<6 bytes: 000102030405>","compressed":false,"timestamp":1537100001.0}""" },
        { "lidar", """lidar {"data":[[0.0,1.5],[90.0,2.25]],"timestamp":1537100002.0}""" },
        { "log", """["INFO","talker","hello world"]""" },
    };

    [Fact]
    public async Task TopicEcho_EveryStandardMessage_ShowsItsFieldsByName()
    {
        // pygecko's own bytes, each on a topic of its own under std/; one echo of the prefix sees them all.
        var expected = StandardMessages().ToDictionary(row => $"std/{row[0]}", row => $"std/{row[0]}: {row[1]}");
        using var echo = Tool("topic", "echo", "std/*");
        await ExternalSubscriberOfAsync("std/vector", echo);
        using var publisher = await ConnectedPublisherAsync();
        var seen = new HashSet<string>();
        for (var round = 0; seen.Count < expected.Count; round++)
        {
            Assert.True(round < 300, $"seen {string.Join(", ", seen)}:\n{echo.Transcript}");
            foreach (var topic in expected.Keys.Where(t => !seen.Contains(t)))
                publisher.SendMoreFrame(topic).SendFrame(ReferenceBytes(topic["std/".Length..]));
            while (await echo.TryWaitForLineAsync(_ => true, TimeSpan.FromMilliseconds(100)) is { } line)
            {
                var topic = line[..line.IndexOf(':')];
                Assert.Equal(expected[topic], line);
                seen.Add(topic);
            }
        }
    }

    [Fact]
    public async Task TopicEcho_RawAndJsonAndCount_PrintWhatWasAsked()
    {
        using var publisher = await ConnectedPublisherAsync();
        var twist = GeckoSerializer.Encode(new Twist(new Vector(0.5, 0, 0), new Vector(0, 0, 0.2)));
        using var raw = Tool("topic", "echo", "formats", "--raw", "-n", "2");
        using var json = Tool("topic", "echo", "formats", "--json", "-n", "1");
        await ExternalSubscriberOfAsync("formats", raw);

        // Until both have printed what they were asked to (each exits after its count).
        await Eventually.UntilAsync(() =>
        {
            publisher.SendMoreFrame("formats").SendFrame(twist);
            return raw.HasExited && json.HasExited;
        }, Timeout, "both echoes done");
        var (rawExit, rawLines) = await raw.RunToEndAsync(Timeout);
        var (jsonExit, jsonLines) = await json.RunToEndAsync(Timeout);

        Assert.Equal(0, rawExit);
        Assert.Equal([Convert.ToHexStringLower(twist), Convert.ToHexStringLower(twist)], rawLines.Where(l => !l.StartsWith("stderr:")));
        Assert.Equal(0, jsonExit);
        using var document = JsonDocument.Parse(jsonLines.Single(l => !l.StartsWith("stderr:")));
        Assert.Equal("formats", document.RootElement.GetProperty("topic").GetString());
        Assert.Equal("twist", document.RootElement.GetProperty("type").GetString());
        Assert.Equal(0.2, document.RootElement.GetProperty("value").GetProperty("angular").GetProperty("z").GetDouble());
        Assert.Equal(twist.Length, document.RootElement.GetProperty("bytes").GetInt32());
    }

    [Theory]
    [InlineData("json", "{\"speed\": 0.5, \"mode\": \"auto\", \"ids\": [1, 2], \"on\": true, \"none\": null}", null,
        "{\"speed\":0.5,\"mode\":\"auto\",\"ids\":[1,2],\"on\":true,\"none\":null}")]
    [InlineData("string", "\"hello\"", null, "\"hello\"")]
    [InlineData("twist", "{\"linear\": [0.5, 0, 0], \"angular\": [0, 0, 0.2]}", "twist",
        "twist {\"linear\":{\"x\":0.5,\"y\":0.0,\"z\":0.0},\"angular\":{\"x\":0.0,\"y\":0.0,\"z\":0.2}}")]
    [InlineData("pose", "[{\"x\": 1, \"y\": 2, \"z\": 0}, [1, 0, 0, 0]]", "pose",
        "pose {\"position\":{\"x\":1.0,\"y\":2.0,\"z\":0.0},\"orientation\":{\"w\":1.0,\"x\":0.0,\"y\":0.0,\"z\":0.0}}")]
    [InlineData("joystick", "{\"axes\": [0.5], \"buttons\": [1, 0], \"type\": \"ps4\", \"timestamp\": 12.5}", "joystick",
        "joystick {\"axes\":[0.5],\"buttons\":[1,0],\"type\":\"ps4\",\"timestamp\":12.5}")]
    public async Task TopicPubOnce_ThenEcho_RoundTripsTheValue(string name, string value, string? type, string expected)
    {
        var topic = $"round-trip/{name}";
        using var echo = Tool("topic", "echo", topic, "-n", "1");
        await ExternalSubscriberOfAsync(topic, echo);
        Hub.Router.Tell(new TopicRouter.Subscribe(topic, TestActor));
        await ExpectMsgAsync<TopicRouter.SubscribeAck>();

        // One message, sent once: the handshake makes sure it is not lost while ZeroMQ connects.
        var (pubExit, pubLines) = await RunAsync(["topic", "pub", topic, value, .. type is null ? Array.Empty<string>() : ["--type", type], "--once"]);

        Assert.True(pubExit == 0, string.Join('\n', pubLines));
        Assert.Contains($"published 1 message on '{topic}'", pubLines);
        var (echoExit, echoLines) = await echo.RunToEndAsync(Timeout);
        Assert.Equal(0, echoExit);
        Assert.Equal(expected, Assert.Single(echoLines, l => !l.StartsWith("stderr:")));
        // In process too, as the raw payload, exactly once.
        var message = await ExpectMsgAsync<TopicRouter.TopicMessage>(Timeout);
        Assert.Equal(topic, message.Topic);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task TopicPub_ImuWithoutTimestamp_IsStampedWithTheTimeOfSending()
    {
        Hub.Router.Tell(new TopicRouter.Subscribe("stamped", TestActor));
        await ExpectMsgAsync<TopicRouter.SubscribeAck>();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        var (exit, lines) = await RunAsync("topic", "pub", "stamped", "--type", "imu",
            "{\"linear_accel\": [0, 0, 9.81], \"angular_vel\": [0, 0, 0], \"magnetic_field\": [20, -5, 40]}", "-n", "3", "--rate", "20");

        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.Contains("published 3 messages on 'stamped' at 20 Hz", lines);
        var stamps = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var payload = (byte[])(await ExpectMsgAsync<TopicRouter.TopicMessage>(Timeout)).Message;
            var imu = GeckoSerializer.Decode<Imu>(payload);
            Assert.Equal(9.81, imu.LinearAcceleration.Z);
            stamps.Add(imu.Timestamp);
        }
        Assert.All(stamps, s => Assert.InRange(s, before - 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 + 1));
        Assert.True(stamps[0] < stamps[2], "each message is stamped when it is sent");
    }

    [Fact]
    public async Task TopicList_KnownTraffic_ShowsCountsRatesAndWhoPublishes()
    {
        // In process: this test's actor declares a publisher of listed and subscribes to it; ten messages of 50 bytes.
        Hub.Router.Tell(new TopicRouter.DeclarePublisher("listed", TestActor));
        Hub.Router.Tell(new TopicRouter.Subscribe("listed", TestActor));
        await ExpectMsgAsync<TopicRouter.SubscribeAck>();
        for (var i = 0; i < 10; i++) Hub.Router.Tell(new TopicRouter.Publish("listed", new byte[50]));
        // From outside, anonymously: nobody announced it.
        using var publisher = await ConnectedPublisherAsync();
        for (var i = 0; i < 5; i++) publisher.SendMoreFrame("anonymous").SendFrame(new byte[10]);
        await Eventually.UntilAsync(async () => (await Hub.GetStatsAsync()) is { } s && s.Topic("listed")?.Messages == 10 && s.Topic("anonymous")?.Messages == 5,
            Timeout, "the traffic counted");

        var (exit, lines) = await RunAsync("topic", "list", "--json");

        Assert.True(exit == 0, string.Join('\n', lines));
        using var document = JsonDocument.Parse(string.Join('\n', lines.Where(l => !l.StartsWith("stderr:"))));
        var topics = document.RootElement.GetProperty("topics").EnumerateArray().ToDictionary(t => t.GetProperty("topic").GetString()!);
        var listed = topics["listed"];
        Assert.Equal((10, 500), (listed.GetProperty("messages").GetInt64(), listed.GetProperty("bytes").GetInt64()));
        Assert.Equal((1, true), (listed.GetProperty("publishers").GetInt32(), listed.GetProperty("publishers_exact").GetBoolean()));
        Assert.Equal((1, true), (listed.GetProperty("subscribers").GetInt32(), listed.GetProperty("subscribers_exact").GetBoolean()));
        Assert.Equal(5, topics["anonymous"].GetProperty("messages").GetInt64());
        Assert.DoesNotContain(topics.Keys, t => t.StartsWith("gecko.", StringComparison.Ordinal));
        Assert.Equal(Environment.ProcessId, document.RootElement.GetProperty("hub").GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task TopicList_Table_ShowsTheRateOfAPublisherAndQuestionMarksForTheUnannounced()
    {
        using var publisher = Tool("topic", "pub", "rated", "1", "--rate", "40");
        // Two full stats intervals with traffic: the rate is over the last one.
        await Eventually.UntilAsync(async () => (await Hub.GetStatsAsync()).Topic("rated") is { MessagesPerSecond: > 30 }, Timeout,
            "the rate measured", () => publisher.Transcript);

        var (exit, lines) = await RunAsync("topic", "list");

        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.Equal(["TOPIC", "MSGS/S", "KB/S", "PUBS", "SUBS", "MESSAGES"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = lines.Single(l => l.StartsWith("rated ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(double.Parse(row[1], CultureInfo.InvariantCulture), 30, 50);
        Assert.Equal("?", row[3]); // gecko topic pub does not announce itself: someone the hub cannot name publishes
        Assert.Contains(lines, l => l.StartsWith("rates over the hub's last 1 s interval; ? = ", StringComparison.Ordinal));
    }

    private static byte[] ReferenceBytes(string name)
    {
        var path = Path.Combine(Repository.Root, "tests", "Gecko.Core.Tests", "vectors", "pygecko-msgpack.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var message = document.RootElement.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name);
        return Convert.FromHexString(message.GetProperty("hex").GetString()!);
    }
}
