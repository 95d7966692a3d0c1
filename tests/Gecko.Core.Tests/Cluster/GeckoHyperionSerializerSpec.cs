using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Gecko.Core.Cluster;
using Gecko.Core.Messages;
using Gecko.Core.Tests.Messages;
using Xunit;

namespace Gecko.Core.Tests.Cluster;

/// <summary>The Hyperion serializer, as Akka finds it through the cluster config: every cross-host and standard message round-trips; hostile bytes are refused.</summary>
public sealed class GeckoHyperionSerializerSpec : Akka.TestKit.Xunit2.TestKit
{
    public GeckoHyperionSerializerSpec() : base(ClusterSettings.Default.ToAkkaConfig(8 << 20).WithFallback(ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.remote.dot-netty.tcp.port = 0
        """))) { }

    private Serializer SerializerFor(object message) => Sys.Serialization.FindSerializerFor(message);

    private object RoundTrip(object message)
    {
        var serializer = SerializerFor(message);
        Assert.IsType<GeckoHyperionSerializer>(serializer);
        Assert.Equal(GeckoHyperionSerializer.Id, serializer.Identifier);
        var bytes = serializer.ToBinary(message);
        // As Akka.Remote reads it on the other host: by serializer id, without a manifest.
        return Sys.Serialization.Deserialize(bytes, serializer.Identifier, (string?)null);
    }

    public static TheoryData<string> StandardMessages => GeckoSerializerTests.TypedNames;

    [Theory]
    [MemberData(nameof(StandardMessages))]
    public void Standard_message_must_round_trip(string name)
    {
        var message = GeckoSerializerTests.Expected(name);

        var copy = RoundTrip(message);

        Assert.IsType(message.GetType(), copy);
        // Records holding arrays compare by reference: compare their wire encodings, which cover every field.
        Assert.Equal(GeckoSerializer.Encode(message), GeckoSerializer.Encode(copy));
    }

    [Fact]
    public void RawExtension_must_round_trip()
    {
        var copy = Assert.IsType<RawExtension>(RoundTrip(new RawExtension(42, [1, 2, 3])));

        Assert.Equal(42, copy.TypeCode);
        Assert.Equal([1, 2, 3], copy.Data);
    }

    [Fact]
    public void Cross_host_messages_must_round_trip_with_their_actor_references()
    {
        var probe = CreateTestProbe();
        var payload = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();

        var data = Assert.IsType<ClusterRouting.TopicData>(RoundTrip(new ClusterRouting.TopicData("camera/image", payload, 7, 700)));
        Assert.Equal("camera/image", data.Topic);
        Assert.Equal(payload, data.Payload);

        var batch = Assert.IsType<ClusterRouting.TopicBatch>(RoundTrip(new ClusterRouting.TopicBatch(["imu", "cmd"], [[1, 2], payload], 9, 900)));
        Assert.Equal(["imu", "cmd"], batch.Topics);
        Assert.Equal([1, 2], batch.Payloads[0]);
        Assert.Equal(payload, batch.Payloads[1]);

        var interest = Assert.IsType<ClusterRouting.InterestAnnounced>(
            RoundTrip(new ClusterRouting.InterestAnnounced(probe.Ref, 7, ["cmd", "imu"], [[], "sensors/"u8.ToArray()], IsReply: true)));
        Assert.Equal(probe.Ref, interest.Host);
        Assert.Equal(7, interest.Version);
        Assert.Equal(["cmd", "imu"], interest.Topics);
        Assert.Equal(2, interest.Prefixes.Length);
        Assert.Empty(interest.Prefixes[0]);
        Assert.Equal("sensors/"u8.ToArray(), interest.Prefixes[1]);
        Assert.True(interest.IsReply);

        Assert.Equal(new ClusterRouting.DataAcknowledged(12, 3456, 14, 3500), RoundTrip(new ClusterRouting.DataAcknowledged(12, 3456, 14, 3500)));

        var placement = Assert.IsType<Placement.NodePlacement>(RoundTrip(new Placement.NodePlacement(
            "talker", "Gecko.Launch.Demo.Talker, gecko", "/opt/robot/Robot.dll", 2, ["topic", "hz"], ["hello", "10"], "pi", probe.Ref)));
        Assert.Equal(("talker", "Gecko.Launch.Demo.Talker, gecko", "/opt/robot/Robot.dll", 2, "pi"),
            (placement.Name, placement.TypeName, placement.AssemblyPath, placement.Count, placement.Role));
        Assert.Equal(["topic", "hz"], placement.ArgumentNames);
        Assert.Equal(["hello", "10"], placement.ArgumentValues);
        Assert.Equal(probe.Ref, placement.ReportTo);

        Assert.Equal(new Placement.NodePlaced("talker", "akka.tcp://gecko@10.0.0.2:4053", 4242, 2),
            RoundTrip(new Placement.NodePlaced("talker", "akka.tcp://gecko@10.0.0.2:4053", 4242, 2)));
        Assert.Equal(new Placement.PlacementFailed("talker", "akka.tcp://gecko@10.0.0.2:4053", "type not found"),
            RoundTrip(new Placement.PlacementFailed("talker", "akka.tcp://gecko@10.0.0.2:4053", "type not found")));
    }

    [Fact]
    public void Every_allowed_message_type_must_be_bound_to_the_serializer()
    {
        foreach (var type in GeckoHyperionSerializer.AllowedTypes.Where(t => typeof(IClusterMessage).IsAssignableFrom(t) || GeckoHyperionSerializer.StandardMessages.Contains(t)))
            Assert.IsType<GeckoHyperionSerializer>(Sys.Serialization.FindSerializerForType(type));
    }

    [Fact]
    public void Bytes_of_a_type_outside_the_filter_must_be_refused()
    {
        // What an attacker would send: a type Hyperion could build, but that Gecko never sends.
        var unfiltered = new Hyperion.Serializer();
        using var stream = new MemoryStream();
        unfiltered.Serialize(new Smuggled("rm -rf /"), stream);

        var error = Assert.Throws<SerializationException>(() =>
            Sys.Serialization.Deserialize(stream.ToArray(), GeckoHyperionSerializer.Id, (string?)null));
        Assert.Contains("Not a Gecko cluster message", error.Message);
    }

    public sealed record Smuggled(string Command);

    [Fact]
    public void Garbage_and_truncated_messages_must_be_refused_not_crash()
    {
        var serializer = (GeckoHyperionSerializer)SerializerFor(new ClusterRouting.TopicData("t", [1, 2, 3], 1, 3));
        var bytes = serializer.ToBinary(new ClusterRouting.TopicData("topic", new byte[64], 1, 64));
        var random = new Random(7);
        for (var cut = 0; cut < bytes.Length - 1; cut++)
            Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..cut], null));
        for (var i = 0; i < 200; i++)
        {
            var garbage = new byte[random.Next(1, 200)];
            random.NextBytes(garbage);
            try
            {
                // Random bytes may happen to spell an allowed message; they must never escape as another exception.
                serializer.FromBinary(garbage, null);
            }
            catch (SerializationException) { }
        }
    }
}
