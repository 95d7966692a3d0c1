using System.Collections.Concurrent;
using Akka.Actor;
using Gecko.Actors.Standalone;
using Gecko.Core.Messages;
using Gecko.Core.Routing;
using Gecko.Testing;
using NetMQ;
using NetMQ.Sockets;
using Xunit;

namespace Gecko.Actors.Tests.Standalone;

/// <summary>What a standalone node does with payloads it cannot read and with callbacks that throw: count, log, carry on.</summary>
public class StandaloneCallbackSpec : HubTestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private StandaloneNode Init(string name) => StandaloneNode.Init(name, new NodeOptions
    {
        InAddress = Hub.InAddress,
        OutAddress = Hub.OutAddress,
        HandleSignals = false,
        LogToConsole = false,
    });

    /// <summary>The log lines the node publishes, as the hub's router sees them.</summary>
    private async Task<ConcurrentQueue<string>> WatchLog()
    {
        var lines = new ConcurrentQueue<string>();
        var watcher = Sys.ActorOf(Props.Create(() => new LogWatcher(lines)));
        await Hub.Router.Ask<TopicRouter.SubscribeAck>(new TopicRouter.Subscribe("log", watcher), Timeout);
        return lines;
    }

    [Fact]
    public async Task Node_must_count_and_log_payloads_a_subscriber_cannot_decode()
    {
        var log = await WatchLog();
        using var node = Init("picky");
        var received = new ConcurrentQueue<Twist>();
        node.Subscribe<Twist>("sa-cmd", received.Enqueue);
        using var publisher = new PublisherSocket();
        publisher.Connect(Hub.InAddress);
        var twist = GeckoSerializer.Encode(new Twist(new Vector(1, 0, 0), new Vector(0, 0, 0)));

        await Eventually.UntilAsync(() =>
        {
            publisher.SendMoreFrame("sa-cmd").SendFrame(new byte[] { 0xc1, 0x00 });
            publisher.SendMoreFrame("sa-cmd").SendFrame(twist);
            return node.DecodeErrors > 0 && !received.IsEmpty;
        }, Timeout, "a decode error and a good twist");

        Assert.Equal(new Vector(1, 0, 0), received.First().Linear);
        await Eventually.UntilAsync(() => log.Any(l => l.StartsWith("WARN picky: cannot read a message on 'sa-cmd' as Twist")), Timeout,
            "the warning on the log topic", () => string.Join('\n', log));
    }

    [Fact]
    public async Task Node_must_log_a_callback_that_throws_and_keep_receiving()
    {
        var log = await WatchLog();
        using var node = Init("fragile");
        var received = new ConcurrentQueue<double>();
        node.Subscribe<Vector>("sa-speed", v =>
        {
            if (v.X < 0) throw new InvalidOperationException("negative speed");
            received.Enqueue(v.X);
        });

        // Alternate a message the callback throws on with a good one, until good ones arrive after a failure.
        await Eventually.UntilAsync(() =>
        {
            Hub.Router.Tell(new TopicRouter.Publish("sa-speed", new Vector(-1, 0, 0)));
            Hub.Router.Tell(new TopicRouter.Publish("sa-speed", new Vector(2, 0, 0)));
            return node.CallbackErrors > 0 && received.Count >= 2;
        }, Timeout, "the callback to fail and then receive again", () => string.Join('\n', log));

        Assert.False(node.IsShutdown);
        await Eventually.UntilAsync(() => log.Any(l => l.StartsWith("ERROR fragile: the callback on 'sa-speed' failed") && l.Contains("negative speed")),
            Timeout, "the failure on the log topic", () => string.Join('\n', log));
    }

    private sealed class LogWatcher : ReceiveActor
    {
        public LogWatcher(ConcurrentQueue<string> lines)
        {
            Receive<TopicRouter.TopicMessage>(m =>
            {
                var log = m.Message switch
                {
                    LogMessage l => l,
                    byte[] bytes when GeckoSerializer.TryDecode<LogMessage>(bytes, out var l, out _) => l,
                    _ => null,
                };
                if (log is not null) lines.Enqueue($"{log.Level} {log.Name}: {log.Text}");
            });
            Receive<TopicRouter.SubscribeAck>(_ => { });
        }
    }
}
