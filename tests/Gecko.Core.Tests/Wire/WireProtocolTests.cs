using System.Text;
using Gecko.Core.Wire;
using Xunit;

namespace Gecko.Core.Tests.Wire;

public sealed class WireProtocolTests
{
    [Theory]
    [InlineData("imu")]
    [InlineData("robot/arm/joint_3")]
    [InlineData("größe")]
    [InlineData("话题")]
    public void TryDecodeTopic_ValidUtf8_GivesTheTopic(string topic)
    {
        Assert.True(WireProtocol.TryDecodeTopic(Encoding.UTF8.GetBytes(topic), out var decoded));
        Assert.Equal(topic, decoded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("C328")]       // invalid continuation
    [InlineData("74FF74")]     // 0xFF never occurs in UTF-8
    [InlineData("EDA080")]     // an encoded surrogate
    [InlineData("C0AF")]       // overlong '/'
    public void TryDecodeTopic_EmptyOrInvalidUtf8_IsRefused(string hex) =>
        Assert.False(WireProtocol.TryDecodeTopic(Convert.FromHexString(hex), out _));

    [Fact]
    public void TryDecodeTopic_255BytesAccepted256Refused()
    {
        Assert.True(WireProtocol.TryDecodeTopic(Encoding.UTF8.GetBytes(new string('a', 255)), out _));
        Assert.False(WireProtocol.TryDecodeTopic(Encoding.UTF8.GetBytes(new string('a', 256)), out _));
    }

    [Fact]
    public void EncodeTopic_TooLongInUtf8_SaysHowLong()
    {
        var error = Assert.Throws<ArgumentException>(() => WireProtocol.EncodeTopic(new string('ß', 128))); // 256 bytes

        Assert.Contains("256 bytes", error.Message);
    }

    [Fact]
    public void EncodeTopic_Empty_Throws() => Assert.ThrowsAny<ArgumentException>(() => WireProtocol.EncodeTopic(""));

    [Fact]
    public void CheckTopic_Empty_Throws() => Assert.ThrowsAny<ArgumentException>(() => WireProtocol.CheckTopic(""));

    [Fact]
    public void CheckTopic_LoneSurrogate_ThrowsAsEncodeTopicDoes()
    {
        // Built here: as test data xunit would turn the lone surrogate into a replacement character.
        var topic = "imu" + (char)0xD800;

        Assert.ThrowsAny<ArgumentException>(() => WireProtocol.EncodeTopic(topic));
        Assert.ThrowsAny<ArgumentException>(() => WireProtocol.CheckTopic(topic));
    }

    [Fact]
    public void CheckTopic_255BytesAccepted256Refused()
    {
        WireProtocol.CheckTopic(new string('a', 255));
        var error = Assert.Throws<ArgumentException>(() => WireProtocol.CheckTopic(new string('ß', 128)));

        Assert.Contains("256 bytes", error.Message);
    }

    [Fact]
    public void CheckTopic_ValidTopic_AllocatesNothing()
    {
        var topic = "robot/arm/größe";
        WireProtocol.CheckTopic(topic);
        var before = GC.GetAllocatedBytesForCurrentThread();

        for (var i = 0; i < 1000; i++) WireProtocol.CheckTopic(topic);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
