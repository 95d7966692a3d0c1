using System.Numerics;
using NetMQ;

namespace Gecko.Core.Bridge.Internal;

/// <summary>
/// Pooled frame buffers for NetMQ. As shipped, NetMQ takes a new array from the garbage collector for every frame it
/// receives and zeroes it, so a hub forwarding 1 MiB images allocates on the large object heap for each one and
/// collects generation 2 over and over. NetMQ's own <see cref="BufferManagerBufferPool"/> keeps up to a bounded number
/// of bytes of returned frames for reuse (measured with gecko bench: a third less hub CPU per 1 MiB message, a quarter
/// less per 1 KiB, a lower peak RSS). NetMQ's pool is process-wide, so this is installed once.
/// </summary>
internal sealed class NetMqBuffers : IBufferPool
{
    /// <summary>
    /// Smaller frames (topics, most sensor messages) come from the collector as before: a short-lived small array is
    /// what it is best at, while the pool would hand out at least a kilobyte for each and miss often under bursts.
    /// </summary>
    private const int SmallestPooled = 1024;
    private static readonly object Gate = new();
    private static bool _installed;
    private readonly BufferManagerBufferPool _pool;
    private readonly int _largest;

    internal NetMqBuffers(long poolBytes, int largestFrame)
    {
        _pool = new BufferManagerBufferPool(poolBytes, largestFrame);
        _largest = largestFrame;
    }

    /// <summary>Whether this process's NetMQ uses the pool.</summary>
    public static bool IsInstalled
    {
        get
        {
            lock (Gate) return _installed;
        }
    }

    /// <summary>Installs a pool of at most <paramref name="poolBytes"/> bytes, once per process (later calls change nothing).</summary>
    public static void Install(long poolBytes, int largestFrame)
    {
        lock (Gate)
        {
            if (_installed || poolBytes <= 0) return;
            BufferPool.SetCustomBufferPool(new NetMqBuffers(poolBytes, largestFrame));
            _installed = true;
        }
    }

    /// <inheritdoc />
    public byte[] Take(int size) => size < SmallestPooled ? new byte[size] : _pool.Take(size);

    /// <inheritdoc />
    public void Return(byte[] buffer)
    {
        // The pool throws for an array of a size it does not hand out; NetMQ may return one it took before the pool
        // was installed, or a large frame the pool never held. Those are left to the garbage collector.
        if (buffer.Length < SmallestPooled || buffer.Length > _largest || (!BitOperations.IsPow2(buffer.Length) && buffer.Length != _largest)) return;
        try
        {
            _pool.Return(buffer);
        }
        catch (ArgumentException)
        {
        }
    }

    /// <inheritdoc />
    public void Dispose() => _pool.Dispose();
}
