using System.Runtime.InteropServices;

namespace Gecko.Launch.Bench.Endpoints.Internal;

/// <summary>
/// The few libzmq calls the bench's load generators make. libzmq is Debian's libzmq5, which python3-zmq brings;
/// calling it from C# gives endpoints at C speed without a Python interpreter between every message and the socket,
/// so the hub, not its peers, is what a scenario measures.
/// </summary>
internal static class LibZmq
{
    private const string Library = "libzmq.so.5";

    public const int Pub = 1;
    public const int Sub = 2;
    public const int SendMore = 2;
    public const int SubscribeOption = 6;
    public const int LingerOption = 17;
    public const int SendHighWaterMarkOption = 23;
    public const int ReceiveHighWaterMarkOption = 24;
    public const int ReceiveTimeoutOption = 27;
    public const int ErrorAgain = 11;
    public const int ErrorInterrupted = 4;

    private static readonly Lazy<bool> Loaded = new(() =>
        NativeLibrary.TryLoad(Library, typeof(LibZmq).Assembly, null, out _));

    /// <summary>Whether libzmq can be loaded on this machine.</summary>
    public static bool IsAvailable => Loaded.Value;

    [DllImport(Library, EntryPoint = "zmq_ctx_new")]
    public static extern IntPtr NewContext();

    [DllImport(Library, EntryPoint = "zmq_ctx_term")]
    public static extern int TerminateContext(IntPtr context);

    [DllImport(Library, EntryPoint = "zmq_socket")]
    public static extern IntPtr NewSocket(IntPtr context, int type);

    [DllImport(Library, EntryPoint = "zmq_close")]
    public static extern int Close(IntPtr socket);

    [DllImport(Library, EntryPoint = "zmq_setsockopt")]
    public static extern int SetOption(IntPtr socket, int option, ref int value, nuint size);

    [DllImport(Library, EntryPoint = "zmq_setsockopt")]
    public static extern int SetOption(IntPtr socket, int option, byte[] value, nuint size);

    [DllImport(Library, EntryPoint = "zmq_connect")]
    public static extern int Connect(IntPtr socket, [MarshalAs(UnmanagedType.LPUTF8Str)] string endpoint);

    [DllImport(Library, EntryPoint = "zmq_send")]
    public static extern int Send(IntPtr socket, ref byte buffer, nuint length, int flags);

    /// <summary>Receives one frame into <paramref name="buffer"/> (truncated to <paramref name="length"/>); returns its full size.</summary>
    [DllImport(Library, EntryPoint = "zmq_recv")]
    public static extern int Receive(IntPtr socket, ref byte buffer, nuint length, int flags);

    [DllImport(Library, EntryPoint = "zmq_errno")]
    public static extern int Errno();

    [DllImport(Library, EntryPoint = "zmq_strerror")]
    private static extern IntPtr StrError(int error);

    public static void SetInt(IntPtr socket, int option, int value)
    {
        if (SetOption(socket, option, ref value, sizeof(int)) != 0) throw Failure($"zmq_setsockopt({option})");
    }

    public static Exception Failure(string call)
    {
        var error = Errno();
        return new InvalidOperationException($"{call} failed: {Marshal.PtrToStringUTF8(StrError(error))} ({error})");
    }
}
