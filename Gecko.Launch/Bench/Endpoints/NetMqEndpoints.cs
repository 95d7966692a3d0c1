using NetMQ;
using NetMQ.Sockets;

namespace Gecko.Launch.Bench.Endpoints;

/// <summary>Endpoints over NetMQ, as a C# node uses it.</summary>
internal sealed class NetMqEndpoints : IEndpointFactory
{
    private readonly List<IDisposable> _sockets = [];

    public EndpointKind Kind => EndpointKind.NetMq;

    public IBenchPublisher Publisher(string inAddress)
    {
        var socket = new PublisherSocket();
        Configure(socket);
        socket.Connect(inAddress);
        var publisher = new NetMqPublisher(socket);
        lock (_sockets) _sockets.Add(publisher);
        return publisher;
    }

    public IBenchSubscriber Subscriber(string outAddress, params string[] prefixes)
    {
        var socket = new SubscriberSocket();
        Configure(socket);
        socket.Connect(outAddress);
        foreach (var prefix in prefixes) socket.Subscribe(prefix);
        var subscriber = new NetMqSubscriber(socket);
        lock (_sockets) _sockets.Add(subscriber);
        return subscriber;
    }

    private static void Configure(NetMQSocket socket)
    {
        // As for libzmq: unlimited queues, the scenarios bound what is in flight.
        socket.Options.Linger = TimeSpan.Zero;
        socket.Options.SendHighWatermark = 0;
        socket.Options.ReceiveHighWatermark = 0;
    }

    public void Dispose()
    {
        lock (_sockets)
        {
            foreach (var socket in _sockets) socket.Dispose();
            _sockets.Clear();
        }
    }

    private sealed class NetMqPublisher(PublisherSocket socket) : IBenchPublisher
    {
        private Msg _frame;
        private int _closed;

        public void Send(ReadOnlySpan<byte> topic, ReadOnlySpan<byte> payload)
        {
            SendFrame(topic, more: true);
            SendFrame(payload, more: false);
        }

        private void SendFrame(ReadOnlySpan<byte> data, bool more)
        {
            // A pooled frame, filled and handed to the socket (which takes its buffer): no allocation per message.
            _frame.InitPool(data.Length);
            data.CopyTo(_frame.Slice());
            socket.Send(ref _frame, more);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0) socket.Dispose();
        }
    }

    private sealed class NetMqSubscriber : IBenchSubscriber
    {
        private readonly SubscriberSocket _socket;
        private readonly byte[] _topic = new byte[256];
        private readonly byte[] _header = new byte[BenchPayload.HeaderSize];
        private Msg _frame;
        private int _topicLength;
        private int _headerLength;
        private int _closed;

        public NetMqSubscriber(SubscriberSocket socket)
        {
            _socket = socket;
            _frame.InitEmpty();
        }

        public ReadOnlySpan<byte> Topic => _topic.AsSpan(0, _topicLength);

        public ReadOnlySpan<byte> Header => _header.AsSpan(0, _headerLength);

        public int PayloadLength { get; private set; }

        public bool TryReceive(TimeSpan timeout)
        {
            if (!_socket.TryReceive(ref _frame, timeout)) return false;
            var topic = _frame.Slice();
            _topicLength = Math.Min(topic.Length, _topic.Length);
            topic[.._topicLength].CopyTo(_topic);
            _socket.Receive(ref _frame);
            var payload = _frame.Slice();
            PayloadLength = payload.Length;
            _headerLength = Math.Min(payload.Length, _header.Length);
            payload[.._headerLength].CopyTo(_header);
            return true;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0) return;
            _frame.Close();
            _socket.Dispose();
        }
    }
}
