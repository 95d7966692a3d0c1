using System.Text;
using Gecko.Launch.Bench.Endpoints.Internal;

namespace Gecko.Launch.Bench.Endpoints;

/// <summary>Endpoints over libzmq; one context (one I/O thread) per scenario.</summary>
internal sealed class LibZmqEndpoints : IEndpointFactory
{
    private readonly IntPtr _context = LibZmq.NewContext();
    private readonly List<LibZmqSocket> _sockets = [];

    public EndpointKind Kind => EndpointKind.LibZmq;

    public IBenchPublisher Publisher(string inAddress)
    {
        var socket = Open(LibZmq.Pub, inAddress);
        return socket;
    }

    public IBenchSubscriber Subscriber(string outAddress, params string[] prefixes)
    {
        var socket = Open(LibZmq.Sub, outAddress);
        foreach (var prefix in prefixes)
        {
            var bytes = Encoding.UTF8.GetBytes(prefix);
            if (LibZmq.SetOption(socket.Handle, LibZmq.SubscribeOption, bytes, (nuint)bytes.Length) != 0) throw LibZmq.Failure("zmq_setsockopt(SUBSCRIBE)");
        }
        return socket;
    }

    private LibZmqSocket Open(int type, string endpoint)
    {
        if (_context == IntPtr.Zero) throw LibZmq.Failure("zmq_ctx_new");
        var handle = LibZmq.NewSocket(_context, type);
        if (handle == IntPtr.Zero) throw LibZmq.Failure("zmq_socket");
        var socket = new LibZmqSocket(handle);
        lock (_sockets) _sockets.Add(socket);
        // Unlimited queues: the scenarios bound what is in flight themselves, so nothing is dropped before the hub.
        LibZmq.SetInt(handle, LibZmq.LingerOption, 0);
        LibZmq.SetInt(handle, LibZmq.SendHighWaterMarkOption, 0);
        LibZmq.SetInt(handle, LibZmq.ReceiveHighWaterMarkOption, 0);
        if (LibZmq.Connect(handle, endpoint) != 0) throw LibZmq.Failure($"zmq_connect({endpoint})");
        return socket;
    }

    public void Dispose()
    {
        lock (_sockets)
        {
            foreach (var socket in _sockets) socket.Dispose();
            _sockets.Clear();
        }
        if (_context != IntPtr.Zero) LibZmq.TerminateContext(_context);
    }

    private sealed class LibZmqSocket(IntPtr handle) : IBenchPublisher, IBenchSubscriber
    {
        private readonly byte[] _topic = new byte[256];
        private readonly byte[] _header = new byte[BenchPayload.HeaderSize];
        private int _topicLength;
        private int _headerLength;
        private int _timeoutMs = -2;
        private int _closed;

        public IntPtr Handle => handle;

        public ReadOnlySpan<byte> Topic => _topic.AsSpan(0, _topicLength);

        public ReadOnlySpan<byte> Header => _header.AsSpan(0, _headerLength);

        public int PayloadLength { get; private set; }

        public void Send(ReadOnlySpan<byte> topic, ReadOnlySpan<byte> payload)
        {
            SendFrame(topic, LibZmq.SendMore);
            SendFrame(payload, 0);
        }

        private void SendFrame(ReadOnlySpan<byte> frame, int flags)
        {
            ref var start = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(frame);
            while (LibZmq.Send(handle, ref start, (nuint)frame.Length, flags) < 0)
                if (LibZmq.Errno() != LibZmq.ErrorInterrupted) throw LibZmq.Failure("zmq_send");
        }

        public bool TryReceive(TimeSpan timeout)
        {
            var ms = (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds);
            if (ms != _timeoutMs)
            {
                LibZmq.SetInt(handle, LibZmq.ReceiveTimeoutOption, ms);
                _timeoutMs = ms;
            }
            var size = LibZmq.Receive(handle, ref _topic[0], (nuint)_topic.Length, 0);
            if (size < 0)
            {
                var error = LibZmq.Errno();
                if (error is LibZmq.ErrorAgain or LibZmq.ErrorInterrupted) return false;
                throw LibZmq.Failure("zmq_recv");
            }
            _topicLength = Math.Min(size, _topic.Length);
            // The payload frame of a two-frame message is already here; only its header is copied out.
            int payload;
            while ((payload = LibZmq.Receive(handle, ref _header[0], (nuint)_header.Length, 0)) < 0)
                if (LibZmq.Errno() != LibZmq.ErrorInterrupted) throw LibZmq.Failure("zmq_recv");
            PayloadLength = payload;
            _headerLength = Math.Min(payload, _header.Length);
            return true;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0) LibZmq.Close(handle);
        }
    }
}
