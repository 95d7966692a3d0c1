using System.Numerics;
using NetMQ;

namespace Gecko.Core.Bridge.Internal;

/// <summary>
/// Pooled frame buffers for NetMQ. As shipped, NetMQ takes a new array from the garbage collector for every frame it
/// receives and zeroes it, so a hub forwarding 1 MiB images allocates on the large object heap for each one and
/// collects generation 2 over and over. Returned frames are kept here, up to a bounded number of bytes, for reuse
/// (measured with gecko bench: a third less hub CPU per 1 MiB message, a quarter less per 1 KiB, a lower peak RSS).
/// NetMQ's pool is process-wide, so this is installed once.
/// </summary>
/// <remarks>
/// NetMQ allocates a frame as soon as its size header arrives, before any of its bytes. A peer that announces
/// megabytes and sends nothing more would, with zeroed arrays, make the hub touch (and keep resident) every page it
/// announced: garbage connections drove a hub from 75 to 290 MB that way. So a frame that is not in the pool comes
/// uninitialized — only the pages its bytes reach become resident, and memory follows what peers send, not what they
/// claim. NetMQ sends exactly a frame's size out of its array, so stale bytes past that never leave the hub (as with
/// a reused pooled array).
/// </remarks>
internal sealed class NetMqBuffers : IBufferPool
{
    /// <summary>
    /// Smaller frames (topics, most sensor messages) come from the collector as before: a short-lived small array is
    /// what it is best at, while the pool would hand out at least a kilobyte for each and miss often under bursts.
    /// </summary>
    private const int SmallestPooled = 1024;
    private const int SmallestBucketShift = 10;
    /// <summary>Arrays kept per size at most: enough for bursts, few enough that a look-up stays a short scan.</summary>
    private const int MaxSlotsPerBucket = 64;
    private static readonly object Gate = new();
    private static bool _installed;
    private readonly byte[]?[][] _buckets;
    private readonly int _largest;
    private readonly long _budget;
    private long _pooledBytes;

    internal NetMqBuffers(long poolBytes, int largestFrame)
    {
        _largest = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(largestFrame, SmallestPooled));
        var buckets = BitOperations.Log2((uint)_largest) - SmallestBucketShift + 1;
        _buckets = new byte[]?[buckets][];
        _budget = poolBytes;
        // Any size may use the whole budget (what the robot sends decides); the bytes kept in all sizes stay within it.
        for (var i = 0; i < buckets; i++)
            _buckets[i] = new byte[]?[(int)Math.Clamp(poolBytes >> (i + SmallestBucketShift), 1, MaxSlotsPerBucket)];
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
    public byte[] Take(int size)
    {
        if (size < SmallestPooled) return new byte[size];
        if (size > _largest) return GC.AllocateUninitializedArray<byte>(size);
        var index = BucketOf(size);
        var slots = _buckets[index];
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is null) continue;
            if (Interlocked.Exchange(ref slots[i], null) is not { } pooled) continue;
            Interlocked.Add(ref _pooledBytes, -pooled.Length);
            return pooled;
        }
        // The bucket's size, not the frame's: the array can then be pooled when NetMQ returns it.
        return GC.AllocateUninitializedArray<byte>(1 << (index + SmallestBucketShift));
    }

    /// <inheritdoc />
    public void Return(byte[] buffer)
    {
        // NetMQ returns every frame, also those it took before the pool was installed and those of sizes the pool does
        // not keep: only arrays of a bucket's exact size are kept; the rest, and any beyond the budget, go to the collector.
        var length = buffer.Length;
        if (length < SmallestPooled || length > _largest || !BitOperations.IsPow2(length)) return;
        if (Interlocked.Add(ref _pooledBytes, length) > _budget)
        {
            Interlocked.Add(ref _pooledBytes, -length);
            return;
        }
        var slots = _buckets[BucketOf(length)];
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is not null) continue;
            if (Interlocked.CompareExchange(ref slots[i], buffer, null) is null) return;
        }
        Interlocked.Add(ref _pooledBytes, -length);
    }

    private static int BucketOf(int size) => BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)size)) - SmallestBucketShift;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var slots in _buckets) Array.Clear(slots);
        Interlocked.Exchange(ref _pooledBytes, 0);
    }
}
