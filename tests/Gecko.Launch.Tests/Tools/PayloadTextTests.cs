using Gecko.Core.Messages;
using Gecko.Launch.Tools;
using MessagePack;
using Xunit;

namespace Gecko.Launch.Tests.Tools;

public sealed class PayloadTextTests
{
    [Fact]
    public void From_Twist_NamesTheTypeAndTheFields()
    {
        var text = PayloadText.From(GeckoSerializer.Encode(new Twist(new Vector(0.5, 0, 0), new Vector(0, 0, 0.2))));

        Assert.Equal("twist", text.Type);
        Assert.Equal("""twist {"linear":{"x":0.5,"y":0.0,"z":0.0},"angular":{"x":0.0,"y":0.0,"z":0.2}}""", text.ToString());
    }

    [Fact]
    public void From_BigImage_AbbreviatesItsBytesWithTheirLength()
    {
        var pixels = Enumerable.Range(0, 921_600).Select(i => (byte)i).ToArray();

        var text = PayloadText.From(GeckoSerializer.Encode(new Image([480, 640, 3], pixels, false, 1.5)));

        Assert.Equal("""image {"shape":[480,640,3],"bytes":"<921600 bytes: 000102030405060708090a0b0c0d0e0f…>","compressed":false,"timestamp":1.5}""",
            text.ToString());
    }

    [Fact]
    public void From_PlainValues_AreJson()
    {
        var map = MessagePackSerializer.Serialize(new Dictionary<object, object?>
        {
            ["s"] = "tab\there \u001b[2J", [7] = new object?[] { 1L, 2.0, null, true, new byte[] { 1, 2 } }, [new object[] { 1 }] = "array key",
        });

        Assert.Equal("""{"s":"tab\there \u001B[2J","7":[1,2.0,null,true,"<2 bytes: 0102>"],"[1]":"array key"}""", PayloadText.From(map).ToString());
        Assert.Equal("12", PayloadText.From(MessagePackSerializer.Serialize(12)).ToString());
        Assert.Equal("\"NaN\"", PayloadText.From(MessagePackSerializer.Serialize(double.NaN)).ToString());
    }

    [Fact]
    public void From_UnknownExt_ShowsItsCodeAndItsDataDecodedWhenItCan()
    {
        var inner = MessagePackSerializer.Serialize(new object[] { 1, "two" });
        var payload = GeckoSerializer.Encode(new RawExtension(40, inner));
        var opaque = GeckoSerializer.Encode(new RawExtension(41, [0xC1, 0xC1]));

        Assert.Equal("""ext(40) [1,"two"]""", PayloadText.From(payload).ToString());
        Assert.Equal("""ext(41) "<2 bytes: c1c1>" """.TrimEnd(), PayloadText.From(opaque).ToString());
    }

    [Fact]
    public void From_StandardIdWithTheWrongShape_IsShownAsAnExtNotGuessed()
    {
        var payload = GeckoSerializer.Encode(new RawExtension(4, MessagePackSerializer.Serialize(new object[] { 1, 2, 3 })));

        Assert.Equal("ext(4) [1,2,3]", PayloadText.From(payload).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("c1")]
    [InlineData("92 01")]
    [InlineData("01 02")]
    public void From_NotOneMessagePackValue_SaysSoWithTheBytes(string hex)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", ""));

        var text = PayloadText.From(bytes);

        Assert.False(text.Valid);
        Assert.StartsWith($"\"<not MessagePack: {bytes.Length} bytes", text.Json);
    }

    [Fact]
    public void From_NestedTenThousandDeep_IsRefusedNotAStackOverflow()
    {
        var payload = Enumerable.Repeat((byte)0x91, 10_000).Append((byte)0xC0).ToArray();

        Assert.False(PayloadText.From(payload).Valid);
    }

    [Fact]
    public void From_RandomBytes_NeverThrows()
    {
        var random = new Random(6);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            PayloadText.From(bytes);
        }
    }
}
