using Gecko.Core;
using Gecko.Core.Messages;
using Gecko.Launch.Tools;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Tools;

public sealed class JsonPayloadTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250);

    public static TheoryData<string, string, object> StandardMessages() => new()
    {
        { "vector", "[1, -2.5, 3.25]", new Vector(1, -2.5, 3.25) },
        { "quaternion", "{\"w\": 1, \"x\": 0, \"y\": 0.5, \"z\": -0.25}", new Quaternion(1, 0, 0.5, -0.25) },
        { "wrench", "{\"force\": [1, 2, 3], \"torque\": {\"x\": 0.1, \"y\": 0.2, \"z\": 0.3}}", new Wrench(new Vector(1, 2, 3), new Vector(0.1, 0.2, 0.3)) },
        { "pose", "[[1, 2, 0], [1, 0, 0, 0]]", new Pose(new Vector(1, 2, 0), new Quaternion(1, 0, 0, 0)) },
        { "twist", "{\"linear\": [0.5, 0, 0], \"angular\": [0, 0, 0.2]}", new Twist(new Vector(0.5, 0, 0), new Vector(0, 0, 0.2)) },
        { "imu", "{\"linear_accel\": [0, 0, 9.81], \"angular_vel\": [0.01, 0.02, 0.03], \"magnetic_field\": [20, -5, 40], \"timestamp\": 1537100000.25}",
            new Imu(new Vector(0, 0, 9.81), new Vector(0.01, 0.02, 0.03), new Vector(20, -5, 40), 1537100000.25) },
        { "imu", "{\"linear_accel\": [0, 0, 9.81], \"angular_vel\": [0, 0, 0], \"magnetic_field\": [0, 0, 0]}",
            new Imu(new Vector(0, 0, 9.81), new Vector(0, 0, 0), new Vector(0, 0, 0), 1_700_000_000.25) },
        { "joystick", "{\"axes\": [0, 0.5, -1], \"buttons\": [0, 1, 0, 1], \"type\": \"ps4\", \"timestamp\": 1537100000.5}",
            new Joystick([0, 0.5, -1], [0, 1, 0, 1], "ps4", 1537100000.5) },
        { "image", "{\"shape\": [2, 3, 1], \"bytes\": \"AAECAwQF\", \"compressed\": false, \"timestamp\": 1537100001}",
            new Image([2, 3, 1], [0, 1, 2, 3, 4, 5], false, 1537100001) },
        { "image", "{\"shape\": [1, 2, 1], \"bytes\": [255, 0], \"compressed\": true, \"timestamp\": 1}", new Image([1, 2, 1], [255, 0], true, 1) },
        { "lidar", "{\"data\": [[0, 1.5], [90, 2.25]]}", new Lidar([[0, 1.5], [90, 2.25]], 1_700_000_000.25) },
        { "log", "[\"INFO\", \"talker\", \"hello world\"]", new LogMessage("INFO", "talker", "hello world") },
    };

    [Theory]
    [MemberData(nameof(StandardMessages))]
    public void Parse_StandardMessage_EncodesTheBytesOfTheRecord(string type, string json, object message)
    {
        var payload = JsonPayload.Parse(json, type).Encode(Now);

        Assert.Equal(Convert.ToHexString(GeckoSerializer.Encode(message)), Convert.ToHexString(payload));
    }

    [Theory]
    [InlineData("{\"a\": [1, 2.5, null, true, -3, 300, 1e3, \"x\"]}")]
    [InlineData("\"h\\u00e9llo\"")]
    [InlineData("[18446744073709551615, -9223372036854775808, 0.1, {\"n\": {}}]")]
    [InlineData("12")]
    [InlineData("false")]
    public async Task Parse_PlainJson_EncodesWhatMsgpackPythonMakesOfJsonLoads(string json)
    {
        using var python = ChildProcess.Python("Tools/python/pack_json.py", [json]);
        var (exit, lines) = await python.RunToEndAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, string.Join('\n', lines));

        Assert.Equal(lines.Single(), Convert.ToHexStringLower(JsonPayload.Parse(json).Encode(Now)));
    }

    [Fact]
    public void StampsTime_OnlyWhenATimestampIsLeftOut()
    {
        Assert.True(JsonPayload.Parse("{\"data\": []}", "lidar").StampsTime);
        Assert.False(JsonPayload.Parse("{\"data\": [], \"timestamp\": 5}", "lidar").StampsTime);
        Assert.False(JsonPayload.Parse("[1, 2, 3]", "vector").StampsTime);
        Assert.False(JsonPayload.Parse("{\"timestamp\": 1}").StampsTime);
    }

    [Theory]
    [InlineData("{\"linear\": [1, 0, 0], \"angular\": [0, 0, \"fast\"]}", "twist", "twist.angular.z is a number, not the string \"fast\".")]
    [InlineData("{\"linear\": [1, 0, 0], \"angular\": [0, 0, 0], \"spin\": 1}", "twist", "twist has no field 'spin'")]
    [InlineData("\"forward\"", "twist", "twist is a twist: give {\"linear\": ..., \"angular\": ...} or [linear, angular], not the string \"forward\".")]
    [InlineData("{\"shape\": [1], \"bytes\": \"not base64!\", \"compressed\": false}", "image", "image.bytes is bytes: give base64 text")]
    [InlineData("{\"shape\": [1], \"bytes\": [256], \"compressed\": false}", "image", "image.bytes[0] is a byte from 0 to 255, not the number 256.")]
    [InlineData("{\"axes\": [], \"buttons\": [1.5], \"type\": \"x\"}", "joystick", "joystick.buttons[0] is an integer, not the number 1.5.")]
    [InlineData("{\"data\": [[1, 2], 3]}", "lidar", "lidar.data[1] is a list of numbers")]
    [InlineData("[\"INFO\", \"n\"]", "log", "log has 3 fields (level, name, text), not 2")]
    public void Parse_FieldsThatDoNotFit_SayWhereAndWhat(string json, string type, string expected)
    {
        var error = Assert.Throws<GeckoConfigurationException>(() => JsonPayload.Parse(json, type));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Parse_DeeplyNested_IsRefusedNotAStackOverflow()
    {
        var json = new string('[', 10_000) + new string(']', 10_000);

        var error = Assert.Throws<GeckoConfigurationException>(() => JsonPayload.Parse(json));

        Assert.Contains("is not valid JSON", error.Message);
    }
}
