using Gecko.Core.Bridge.Internal;
using Xunit;

namespace Gecko.Core.Tests.Bridge.Internal;

public sealed class NetMqBuffersTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(1000)]
    [InlineData(1 << 20)]
    [InlineData(5 << 20)]
    public void Take_AnySize_GivesAtLeastThatMany(int size)
    {
        using var pool = new NetMqBuffers(1 << 20, 4 << 20);

        var buffer = pool.Take(size);

        Assert.True(buffer.Length >= size);
        pool.Return(buffer);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(4096)]
    [InlineData(8 << 20)]
    public void Return_ArrayThePoolDidNotHandOut_IsLeftToTheCollector(int size)
    {
        using var pool = new NetMqBuffers(1 << 20, 4 << 20);

        // NetMQ returns frames it took before the pool was installed; the pool must not throw on its I/O thread.
        pool.Return(new byte[size]);

        Assert.True(pool.Take(size).Length >= size);
    }
}
