using Gecko.Core.Bridge.Internal;
using NetMQ;
using NetMQ.Sockets;
using Xunit;

namespace Gecko.Core.Tests.Bridge.Internal;

/// <summary>
/// An XPUB and a SUB over inproc:// in the test's own thread, so the test decides exactly when the reader reads: the
/// writer must not drop while the queue holds only a few thousand messages of a high-water mark of 10 000.
/// </summary>
public sealed class NetMqWatermarksTests : IDisposable
{
    private const int HighWaterMark = 10_000;
    private readonly XPublisherSocket _publisher = new();
    private readonly SubscriberSocket _subscriber = new();
    private readonly byte[] _topic = "t"u8.ToArray();
    private readonly int _pipeLimit;

    public NetMqWatermarksTests()
    {
        var endpoint = $"inproc://watermarks-{Guid.NewGuid():N}";
        _publisher.Options.SendHighWatermark = HighWaterMark;
        _publisher.Options.Linger = TimeSpan.Zero;
        _subscriber.Options.ReceiveHighWatermark = 1;
        _subscriber.Options.Linger = TimeSpan.Zero;
        _publisher.Bind(endpoint);
        _subscriber.Connect(endpoint);
        _subscriber.Subscribe(_topic);
        // The subscription has reached the XPUB (and with it the pipe) once the XPUB reads it.
        Assert.True(_publisher.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out var subscription), "the subscription never reached the XPUB");
        Assert.Equal(1, subscription![0]);
        _pipeLimit = NetMqWatermarks.WriterLimits(_publisher)[0];
        Assert.True(_pipeLimit >= HighWaterMark, $"the pipe's limit is {_pipeLimit}");
    }

    /// <summary>Sends <paramref name="count"/> messages starting at <paramref name="first"/>; XPUB drops silently when it takes its queue for full.</summary>
    private void Send(int first, int count)
    {
        for (var i = first; i < first + count; i++)
            Assert.True(_publisher.TrySendFrame(TimeSpan.Zero, _topic, more: true) && _publisher.TrySendFrame(TimeSpan.Zero, BitConverter.GetBytes(i)));
    }

    /// <summary>Reads up to <paramref name="count"/> messages (all that come when null), returning how many came.</summary>
    private int Read(int? count = null)
    {
        var read = 0;
        while (count is null || read < count)
        {
            if (!_subscriber.TryReceiveFrameBytes(count is null ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(10), out _)) break;
            _subscriber.ReceiveFrameBytes();
            read++;
        }
        return read;
    }

    /// <summary>
    /// Fills the pipe to just below the reader's low-water mark, reads most of it (so the reader has not reported yet),
    /// then sends 3000 more: at most ~4000 wait, far below the high-water mark. Returns how many arrived of all sent.
    /// </summary>
    private (int Sent, int Received) FillReadAndRefill()
    {
        var lowWatermark = _pipeLimit - 1024; // NetMQ's: the pipe's limit less 1024
        Send(0, lowWatermark - 500);
        var received = Read(lowWatermark - 1500);
        Send(lowWatermark - 500, 3000);
        received += Read();
        return (lowWatermark - 500 + 3000, received);
    }

    [Fact]
    public void AsShipped_ReaderBehindByAFewThousand_WriterDropsMessages()
    {
        // NetMQ as shipped, so this test shows the one below can fail: if NetMQ ever fixes its low-water mark, this
        // fails and the workaround can go.
        var (sent, received) = FillReadAndRefill();

        Assert.True(received < sent, $"all {sent} arrived: NetMQ no longer drops below its high-water mark");
    }

    [Fact]
    public void Relax_ReaderBehindByAFewThousand_WriterDropsNothing()
    {
        Assert.True(NetMqWatermarks.IsSupported, "NetMQ's internals changed: see NetMqWatermarks");
        Assert.True(NetMqWatermarks.Relax(_publisher) > 0);

        var (sent, received) = FillReadAndRefill();

        Assert.Equal(sent, received);
    }

    [Fact]
    public void Relax_CalledAgain_ChangesNothing()
    {
        var before = NetMqWatermarks.WriterLimits(_publisher);
        var first = NetMqWatermarks.Relax(_publisher);
        var after = NetMqWatermarks.WriterLimits(_publisher);

        Assert.Equal(0, NetMqWatermarks.Relax(_publisher));
        Assert.Equal(after, NetMqWatermarks.WriterLimits(_publisher));
        Assert.True(first > 0);
        Assert.Contains(NetMqWatermarks.Relaxed(before[0]), after);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1000, 1000)]
    [InlineData(2048, 2048)]
    [InlineData(100_000, 100_000 - 1024 + 50_000)]
    public void Relaxed_HighWaterMark_KeepsHalfOfItAlwaysAvailable(int highWaterMark, int expected) =>
        Assert.Equal(expected, NetMqWatermarks.Relaxed(highWaterMark));

    public void Dispose()
    {
        _subscriber.Dispose();
        _publisher.Dispose();
    }
}
