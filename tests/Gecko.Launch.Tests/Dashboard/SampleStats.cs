using Gecko.Core.Monitoring;
using Gecko.Core.Routing;

namespace Gecko.Launch.Tests.Dashboard;

/// <summary>A fixed snapshot for the dashboards' format tests: a hub with two clients, two topics and a camera process.</summary>
internal static class SampleStats
{
    public static readonly Gecko.Launch.Dashboard.DashboardHeader Header = new("GeckoCore [4242]", "tcp://127.0.0.1:9998", "tcp://127.0.0.1:9999");

    public static HubStats Create(int extraClients = 0, int malformedFrames = 2) => new(
        new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
        new TimeSpan(1, 2, 3, 4),
        TotalMessages: 806,
        TotalBytes: 4_472_100,
        MessagesPerSecond: 54.9,
        new Dictionary<MalformedReason, long>
        {
            [MalformedReason.WrongFrameCount] = malformedFrames,
            [MalformedReason.BadTopic] = 1,
            [MalformedReason.PayloadTooLarge] = 0,
        },
        [
            new TopicStats("cv", 224, 4_467_500, 14.9, 4_467_500, 1, true) { Dropped = 1500 },
            new TopicStats("hello", 582, 4_600, 40.0, 2_300, 2, false),
        ],
        [new MonitoredProcess(24301, "camera", new ProcessUsage(5.14, 0.31, 12_000_000, 4))],
        new ProcessUsage(6.6, 0.5, 45_200_000, 31),
        [
            new TcpConnection(TcpState.Listen, new TcpEndpoint("127.0.0.1", 9998), null),
            new TcpConnection(TcpState.Listen, new TcpEndpoint("127.0.0.1", 9999), null),
            new TcpConnection(TcpState.Established, new TcpEndpoint("127.0.0.1", 9998), new TcpEndpoint("127.0.0.1", 54466)),
            new TcpConnection(TcpState.Established, new TcpEndpoint("127.0.0.1", 9999), new TcpEndpoint("127.0.0.1", 54467)),
            .. Enumerable.Range(0, extraClients).Select(i =>
                new TcpConnection(TcpState.Established, new TcpEndpoint("127.0.0.1", 9999), new TcpEndpoint("127.0.0.1", 60000 + i))),
        ]) { TotalDropped = 1500 };
}
