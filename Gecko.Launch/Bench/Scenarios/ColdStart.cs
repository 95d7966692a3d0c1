using System.Diagnostics;
using System.Text;
using Gecko.Launch.Bench.Endpoints;
using Gecko.Launch.Bench.Hubs;

namespace Gecko.Launch.Bench.Scenarios;

/// <summary>From starting a fresh hub process to the first message a subscriber receives through it.</summary>
internal static class ColdStart
{
    private static readonly byte[] Topic = Encoding.UTF8.GetBytes("bench.cold");

    /// <summary>Starts <paramref name="kind"/> as a user would (<c>gecko core</c> for Gecko) and times the first routed message.</summary>
    public static async Task<TimeSpan> MeasureAsync(HubKind kind, string tempDirectory, EndpointKind endpoints)
    {
        var started = Stopwatch.GetTimestamp();
        await using var hub = await HubProcess.StartAsync(kind, tempDirectory, BenchOptions.StartTimeout, asUserRunsIt: true);
        using var factory = EndpointFactory.Create(endpoints);
        var subscriber = factory.Subscriber(hub.OutAddress, "bench.cold");
        var publisher = factory.Publisher(hub.InAddress);
        var payload = BenchPayload.New(64);
        BenchPayload.Write(payload, BenchPayload.Probe, 0, 0);
        while (Stopwatch.GetElapsedTime(started) < BenchOptions.StartTimeout)
        {
            // A message every millisecond until the subscription has travelled through the hub and one comes back.
            publisher.Send(Topic, payload);
            if (subscriber.TryReceive(TimeSpan.FromMilliseconds(1))) return Stopwatch.GetElapsedTime(started);
        }
        throw new BenchException($"no message through a fresh {HubNames.Name(kind)} within {BenchOptions.StartTimeout.TotalSeconds:0} s");
    }
}
