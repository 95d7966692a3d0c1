namespace Gecko.Launch.Bench.Endpoints;

/// <summary>Which ZeroMQ implementation the load generators use.</summary>
public enum EndpointKind
{
    /// <summary>libzmq, the C library, called directly: the cheapest peers, so the hub is the bottleneck.</summary>
    LibZmq,

    /// <summary>NetMQ, as a C# node would use it.</summary>
    NetMq,
}

/// <summary>A PUB socket connected to a hub's in side. One thread uses it at a time.</summary>
public interface IBenchPublisher : IDisposable
{
    /// <summary>Sends <c>[topic, payload]</c>. PUB never blocks; the scenarios keep it below its high-water mark.</summary>
    void Send(ReadOnlySpan<byte> topic, ReadOnlySpan<byte> payload);
}

/// <summary>A SUB socket connected to a hub's out side. One thread uses it at a time.</summary>
public interface IBenchSubscriber : IDisposable
{
    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a message; on success <see cref="Header"/> holds the first bytes of
    /// its payload and <see cref="PayloadLength"/> its full size.
    /// </summary>
    bool TryReceive(TimeSpan timeout);

    /// <summary>The topic of the last message received.</summary>
    ReadOnlySpan<byte> Topic { get; }

    /// <summary>The first <see cref="BenchPayload.HeaderSize"/> bytes (or fewer) of the last payload.</summary>
    ReadOnlySpan<byte> Header { get; }

    /// <summary>The full size of the last payload.</summary>
    int PayloadLength { get; }
}

/// <summary>Creates the endpoints of one scenario; disposing it closes what is left and the context.</summary>
public interface IEndpointFactory : IDisposable
{
    /// <summary>The implementation.</summary>
    EndpointKind Kind { get; }

    /// <summary>A publisher connected to <paramref name="inAddress"/>.</summary>
    IBenchPublisher Publisher(string inAddress);

    /// <summary>A subscriber connected to <paramref name="outAddress"/>, subscribed to each prefix.</summary>
    IBenchSubscriber Subscriber(string outAddress, params string[] prefixes);
}

/// <summary>Creates endpoint factories.</summary>
public static class EndpointFactory
{
    /// <summary>Whether <paramref name="kind"/> can run on this machine.</summary>
    public static bool IsAvailable(EndpointKind kind) => kind == EndpointKind.NetMq || Internal.LibZmq.IsAvailable;

    /// <summary>A fresh factory (for libzmq: a fresh context).</summary>
    public static IEndpointFactory Create(EndpointKind kind) => kind switch
    {
        EndpointKind.LibZmq => new LibZmqEndpoints(),
        _ => new NetMqEndpoints(),
    };

    /// <summary>The name used in reports.</summary>
    public static string Name(EndpointKind kind) => kind == EndpointKind.LibZmq ? "libzmq" : "netmq";
}
