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

    [Fact]
    public void Return_ThenTake_ReusesTheArrayOfThatSize()
    {
        using var pool = new NetMqBuffers(8 << 20, 4 << 20);
        var first = pool.Take(1 << 20);

        pool.Return(first);

        Assert.Same(first, pool.Take((1 << 20) - 100));
        Assert.NotSame(first, pool.Take(1 << 20));
    }

    [Fact]
    public void Return_BeyondTheBudget_KeepsNoMore()
    {
        using var pool = new NetMqBuffers(2 << 20, 4 << 20);
        var taken = Enumerable.Range(0, 4).Select(_ => pool.Take(1 << 20)).ToArray();

        foreach (var buffer in taken) pool.Return(buffer);

        // Two megabytes of budget: two of the four come back, then fresh arrays.
        var again = Enumerable.Range(0, 4).Select(_ => pool.Take(1 << 20)).ToArray();
        Assert.Equal(2, again.Count(b => taken.Contains(b)));
    }
}
