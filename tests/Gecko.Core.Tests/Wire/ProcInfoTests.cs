using Gecko.Core.Tests.Messages;
using Gecko.Core.Wire;
using MessagePack;
using Xunit;

namespace Gecko.Core.Tests.Wire;

public sealed class ProcInfoTests
{
    [Fact]
    public void TryDecode_PygeckoReferenceBytes_GivesPidNameAlive()
    {
        Assert.True(ProcInfo.TryDecode(ReferenceVectors.Get("core_info").Bytes, out var info));

        Assert.Equal(new ProcInfo(4242, "talker", true), info);
    }

    [Fact]
    public void Encode_Registration_IsPygeckosBytes() =>
        Assert.Equal(ReferenceVectors.Get("core_info").Bytes, new ProcInfo(4242, "talker", true).Encode());

    [Fact]
    public void TryDecode_OtherKeysAroundProcInfo_AreSkipped()
    {
        var payload = MessagePackSerializer.Serialize(new Dictionary<object, object>
        {
            [7] = new object[] { new object[] { 1, 2 }, new Dictionary<string, int> { ["a"] = 1 } },
            [new object[] { 1, "key" }] = "array as key",
            ["proc_info"] = new object[] { 99, "node", false },
        });

        Assert.True(ProcInfo.TryDecode(payload, out var info));
        Assert.Equal(new ProcInfo(99, "node", false), info);
    }

    [Fact]
    public void Encode_PublisherDrops_RoundTripAndOnlyValidCountsAreKept()
    {
        var info = new ProcInfo(4242, "talker", true) { Dropped = new Dictionary<string, long> { ["imu"] = 1500, ["größe"] = 2 } };

        Assert.True(ProcInfo.TryDecode(info.Encode(), out var decoded));
        Assert.Equal(info.Dropped, decoded!.Dropped);

        // Hostile counts: a negative one, a topic that is not UTF-8, a count that is not a number; the rest is kept.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(2);
        writer.Write("proc_info");
        writer.WriteArrayHeader(3);
        writer.Write(4242);
        writer.Write("talker");
        writer.Write(true);
        writer.Write("dropped");
        writer.WriteMapHeader(4);
        writer.Write("minus");
        writer.Write(-5);
        writer.WriteString(new byte[] { 0xFF, 0xFE });
        writer.Write(7);
        writer.Write("text");
        writer.Write("many");
        writer.Write("ok");
        writer.Write(3);
        writer.Flush();
        Assert.True(ProcInfo.TryDecode(buffer.WrittenMemory, out var hostile));
        Assert.Equal(new Dictionary<string, long> { ["ok"] = 3 }, hostile!.Dropped);
    }

    [Fact]
    public void TryDecode_IntegerAlive_IsAccepted()
    {
        var payload = MessagePackSerializer.Serialize(new Dictionary<string, object[]> { ["proc_info"] = [5, "n", 0] });

        Assert.True(ProcInfo.TryDecode(payload, out var info));
        Assert.False(info!.Alive);
    }

    [Fact]
    public void TryDecode_LongName_IsCut()
    {
        var payload = new ProcInfo(5, new string('n', 10_000), true).Encode();

        Assert.True(ProcInfo.TryDecode(payload, out var info));
        Assert.Equal(ProcInfo.MaxNameLength, info!.Name.Length);
    }

    [Fact]
    public void TryDecode_ValueNestedAMillionDeep_ReturnsFalse()
    {
        // A key whose value is a million arrays inside each other and no proc_info: skipping it must cost no stack
        // depth on the thread that reads network input.
        var payload = new List<byte> { 0x81, 0xA1, (byte)'x' };
        payload.AddRange(Enumerable.Repeat((byte)0x91, 1_000_000));
        payload.Add(0xC0);

        Assert.False(ProcInfo.TryDecode(payload.ToArray(), out var info));
        Assert.Null(info);
    }

    [Fact]
    public void Encode_HostAndTopics_RoundTripAndKeepProcInfoFirst()
    {
        var registration = new ProcInfo(77, "imu", true) { Host = "pi4", Publishes = ["imu", "imu/raw"], Subscribes = ["cmd"] };

        var payload = registration.Encode();

        Assert.True(ProcInfo.TryDecode(payload, out var info));
        Assert.Equal((77, "imu", true, "pi4"), (info!.Pid, info.Name, info.Alive, info.Host));
        Assert.Equal(["imu", "imu/raw"], info.Publishes);
        Assert.Equal(["cmd"], info.Subscribes);
        Assert.True(info.AnnouncesTopics);
        // A pygecko core reads msg["proc_info"] and nothing else: the extra keys are plain map entries after it.
        var map = MessagePackSerializer.Deserialize<Dictionary<string, object>>(payload);
        Assert.Equal(["proc_info", "host", "publishes", "subscribes"], map.Keys);
        Assert.Equal(new object[] { (byte)77, "imu", true }, (object[])map["proc_info"]);
    }

    [Fact]
    public void TryDecode_NodeAnnouncingNoTopics_IsToldApartFromPygeckosSilence()
    {
        Assert.True(ProcInfo.TryDecode(new ProcInfo(5, "quiet", true) { AnnouncesTopics = true }.Encode(), out var quiet));
        Assert.True(ProcInfo.TryDecode(ReferenceVectors.Get("core_info").Bytes, out var pygecko));

        Assert.True(quiet!.AnnouncesTopics);
        Assert.Empty(quiet.Publishes);
        Assert.False(pygecko!.AnnouncesTopics);
    }

    [Fact]
    public void TryDecode_HostileAnnouncements_AreBoundedAndCleaned()
    {
        var payload = MessagePackSerializer.Serialize(new Dictionary<string, object>
        {
            ["proc_info"] = new object[] { 5, "node", true },
            ["host"] = "evil\u001b[2Jhost" + new string('h', 1000),
            ["publishes"] = Enumerable.Range(0, 10_000).Select(i => (object)$"t{i}").ToArray(),
            ["subscribes"] = new object[] { "", new string('x', 256), 42, new object[] { "nested" }, "ok", "ok" },
        });

        Assert.True(ProcInfo.TryDecode(payload, out var info));
        Assert.Equal(ProcInfo.MaxAnnouncedTopics, info!.Publishes.Count);
        Assert.Equal(["ok"], info.Subscribes);
        Assert.Equal(ProcInfo.MaxHostLength, info.Host!.Length);
        Assert.DoesNotContain(info.Host, char.IsControl);
    }

    [Fact]
    public void TryDecode_AnnouncementsOfTheWrongShape_AreIgnoredNotFatal()
    {
        var payload = MessagePackSerializer.Serialize(new Dictionary<string, object>
        {
            ["host"] = 12,
            ["publishes"] = "not a list",
            ["proc_info"] = new object[] { 5, "node", true },
            ["subscribes"] = new Dictionary<string, int> { ["a"] = 1 },
        });

        Assert.True(ProcInfo.TryDecode(payload, out var info));
        Assert.Null(info!.Host);
        Assert.Empty(info.Publishes);
        Assert.Empty(info.Subscribes);
        Assert.False(info.AnnouncesTopics, "topics unknown, as from pygecko");
    }

    [Fact]
    public void TryDecode_RandomAndMutatedBytes_NeverThrows()
    {
        // Whatever comes in on core_info is decoded on the bridge's poller thread: an exception escaping there would
        // end the hub's process. Random bytes, random maps, and real registrations with bytes flipped or cut off.
        var random = new Random(5);
        var registration = new ProcInfo(1234, "a node", true) { Host = "host", Publishes = ["a", "b"], Subscribes = ["c"] }.Encode();
        for (var i = 0; i < 60_000; i++)
        {
            byte[] bytes;
            switch (i % 3)
            {
                case 0:
                    bytes = new byte[random.Next(0, 48)];
                    random.NextBytes(bytes);
                    break;
                case 1:
                    bytes = new byte[random.Next(1, 48)];
                    random.NextBytes(bytes);
                    bytes[0] = (byte)(0x80 | (bytes[0] & 0x0F)); // a map header
                    break;
                default:
                    bytes = registration[..random.Next(1, registration.Length + 1)];
                    for (var flips = random.Next(1, 4); flips > 0; flips--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    break;
            }
            ProcInfo.TryDecode(bytes, out _);
        }
    }
}
