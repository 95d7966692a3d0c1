using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Gecko.Core.Messages;
using Hyperion;

namespace Gecko.Core.Cluster;

/// <summary>Marks a message that crosses between cluster hosts; bound to <see cref="GeckoHyperionSerializer"/>.</summary>
public interface IClusterMessage;

/// <summary>
/// Akka's serializer for Gecko's cross-host messages and the standard messages, over the Hyperion package (the Akka
/// integration package is not used). Bytes from another host are untrusted: they are read by a Hyperion instance that
/// accepts only the types listed in <see cref="AllowedTypes"/>, refuses Hyperion's unsafe types and never preserves
/// references. Hyperion's type filter breaks serializing on the same instance, so messages are written by a second,
/// unfiltered instance.
/// </summary>
public sealed class GeckoHyperionSerializer : Akka.Serialization.Serializer
{
    /// <summary>The serializer id (Akka reserves 0–100 for its own).</summary>
    public const int Id = 141;

    private readonly Hyperion.Serializer _writer;
    private readonly Hyperion.Serializer _reader;

    /// <summary>Created by Akka's serialization extension from the binding in <see cref="ClusterSettings.ToAkkaConfig"/>.</summary>
    public GeckoHyperionSerializer(ExtendedActorSystem system) : base(system)
    {
        // Actor references travel as their path with the system's address, and are resolved by the receiving system.
        var surrogates = new[]
        {
            Surrogate.Create<IActorRef, ActorRefSurrogate>(
                actor => new ActorRefSurrogate(Akka.Serialization.Serialization.SerializedActorPath(actor)),
                surrogate => system.Provider.ResolveActorRef(surrogate.Path)),
        };
        var options = SerializerOptions.Default
            .WithVersionTolerance(false)
            .WithPreserveObjectReferences(false)
            .WithSurrogates(surrogates);
        _writer = new Hyperion.Serializer(options);
        var filter = TypeFilterBuilder.Create();
        foreach (var type in AllowedTypes) filter.Include(type);
        _reader = new Hyperion.Serializer(options.WithDisallowUnsafeType(true).WithTypeFilter(filter.Build()));
    }

    /// <summary>The types a message from another host may contain: Gecko's cross-host messages, the standard messages and their parts.</summary>
    public static IReadOnlyList<Type> AllowedTypes { get; } =
    [
        // Cross-host messages.
        typeof(ClusterRouting.TopicData), typeof(ClusterRouting.TopicBatch), typeof(ClusterRouting.InterestAnnounced), typeof(ClusterRouting.DataAcknowledged),
        typeof(Placement.NodePlacement), typeof(Placement.NodePlaced), typeof(Placement.PlacementFailed),
        // Standard messages.
        typeof(Vector), typeof(Quaternion), typeof(Wrench), typeof(Pose), typeof(Twist), typeof(Imu), typeof(Joystick),
        typeof(Image), typeof(Lidar), typeof(LogMessage), typeof(RawExtension),
        // Their parts.
        typeof(ActorRefSurrogate), typeof(string[]), typeof(byte[]), typeof(byte[][]), typeof(double[]), typeof(double[][]),
        typeof(long[]), typeof(int[]),
    ];

    /// <summary>The standard messages, bound to this serializer besides <see cref="IClusterMessage"/>.</summary>
    public static IReadOnlyList<Type> StandardMessages { get; } =
        [typeof(Vector), typeof(Quaternion), typeof(Wrench), typeof(Pose), typeof(Twist), typeof(Imu), typeof(Joystick), typeof(Image), typeof(Lidar), typeof(LogMessage), typeof(RawExtension)];

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <inheritdoc />
    public override bool IncludeManifest => false;

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        // Sized for the payloads up front: a camera image is copied once into the stream, not again as it grows.
        using var stream = new MemoryStream(obj switch
        {
            ClusterRouting.TopicData data => (data.Payload?.Length ?? 0) + 512,
            ClusterRouting.TopicBatch batch => (int)Math.Min(int.MaxValue, (batch.Payloads?.Sum(p => (long)(p?.Length ?? 0) + 8) ?? 0) + 64L * (batch.Topics?.Length ?? 0) + 512),
            _ => 256,
        });
        _writer.Serialize(obj, stream);
        return stream.ToArray();
    }

    /// <inheritdoc />
    /// <exception cref="SerializationException">The bytes are not a message of an allowed type.</exception>
    public override object FromBinary(byte[] bytes, Type? type)
    {
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return _reader.Deserialize<object>(stream)
                ?? throw new SerializationException("A Gecko cluster message decoded to nothing.");
        }
        catch (Exception e) when (e is not SerializationException)
        {
            // Hyperion reports a refused type, a truncated stream and garbage alike with assorted exceptions.
            throw new SerializationException($"Not a Gecko cluster message ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    /// <summary>An actor reference on the wire: its full path with its system's address.</summary>
    /// <param name="Path">The serialized actor path.</param>
    public sealed record ActorRefSurrogate(string Path);
}
