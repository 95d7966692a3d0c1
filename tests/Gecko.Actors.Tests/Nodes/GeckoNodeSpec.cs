using Akka.Actor;
using Gecko.Actors.Nodes;
using Gecko.Core.Messages;
using Gecko.Core.Routing;
using NetMQ;
using NetMQ.Sockets;
using Xunit;

namespace Gecko.Actors.Tests.Nodes;

public sealed class CommandSender : GeckoNode
{
    public sealed record Send(Twist Command);

    public CommandSender()
    {
        var cmd = Publisher<Twist>("cmd");
        Receive<Send>(s => cmd.Publish(s.Command));
    }
}

/// <summary>Forwards what it receives to a probe; throws on a twist whose linear x is negative.</summary>
public sealed class CommandReceiver : GeckoNode
{
    public static IActorRef? Probe;

    public CommandReceiver(NodeArguments args) : base(args)
    {
        var probe = Probe!;
        Subscribe<Twist>(args.Get("topic", "cmd"), twist =>
        {
            if (twist.Linear.X < 0) throw new InvalidOperationException("negative speed");
            probe.Tell(twist);
        });
        OnShutdown(() => probe.Tell("shutdown-1"));
        OnShutdown(() => probe.Tell("shutdown-2"));
    }
}

public sealed class Ticker : GeckoNode
{
    public Ticker(NodeArguments args) : base(args)
    {
        var ticks = Publisher<Vector>("ticks");
        var count = 0;
        Every(args.Get("hz", 50.0), () => ticks.Publish(new Vector(++count, 0, 0)));
        Log.Info("ticker up");
    }
}

public class GeckoNodeSpec : HubTestKit
{
    private static Twist Forward(double x) => new(new Vector(x, 0, 0), new Vector(0, 0, 0));

    private async Task<IActorRef> DeployReceiver(string name, string topic = "cmd")
    {
        CommandReceiver.Probe = TestActor;
        var supervisor = NodeHost.Deploy<CommandReceiver>(Sys, Sys, name, new NodeArguments([new("topic", topic)]));
        // The receiver subscribed once the topic shows a local subscriber.
        await AwaitAssertAsync(() => Assert.True(Hub.Topics.TryGet(topic, out var t) && t.LocalSubscribers == 1), TimeSpan.FromSeconds(10));
        return supervisor;
    }

    [Fact]
    public async Task Nodes_must_show_in_the_hubs_report_with_their_publishers_and_subscriptions()
    {
        await DeployReceiver("listed-receiver", "listed-cmd");
        var sender = Sys.ActorOf(NodeHost.NodeProps(typeof(CommandSender), NodeArguments.Empty), "listed-sender");

        await AwaitAssertAsync(async () =>
        {
            var stats = await Hub.GetStatsAsync();
            var senderNode = Assert.Single(stats.Nodes, n => n.Name == "listed-sender");
            Assert.Equal((NodeKind.InProcess, Environment.ProcessId), (senderNode.Kind, senderNode.Pid));
            Assert.Equal(["cmd"], senderNode.Publishes);
            Assert.Equal(["listed-cmd"], Assert.Single(stats.Nodes, n => n.Name == "listed-receiver").Subscribes);
            Assert.Equal(new ParticipantCount(1, true), stats.Topic("cmd")!.Publishers);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));

        // A stopped node leaves the report.
        await sender.GracefulStop(TimeSpan.FromSeconds(5));
        await AwaitAssertAsync(async () => Assert.DoesNotContain((await Hub.GetStatsAsync()).Nodes, n => n.Name == "listed-sender"),
            TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Node_must_deliver_the_same_instance_to_an_in_process_subscriber()
    {
        await DeployReceiver("receiver");
        var sender = Sys.ActorOf(NodeHost.NodeProps(typeof(CommandSender), NodeArguments.Empty), "sender");
        var command = Forward(0.5);

        sender.Tell(new CommandSender.Send(command));

        var received = await ExpectMsgAsync<Twist>(TimeSpan.FromSeconds(5));
        Assert.Same(command, received);
    }

    [Fact]
    public async Task Node_must_be_restarted_after_throwing_keep_receiving_and_report_on_log()
    {
        await DeployReceiver("fragile");
        var log = CreateTestProbe();
        Hub.Router.Tell(new TopicRouter.Subscribe("log", log.Ref), log.Ref);
        await log.ExpectMsgAsync<TopicRouter.SubscribeAck>();

        Hub.Router.Tell(new TopicRouter.Publish("cmd", Forward(-1)));

        var failure = await log.FishForMessageAsync<TopicRouter.TopicMessage>(
            m => m.Message is LogMessage { Level: "ERROR" } l && l.Text.Contains("negative speed"), TimeSpan.FromSeconds(5));
        Assert.Equal("fragile", ((LogMessage)failure.Message).Name);
        await ExpectMsgAsync("shutdown-1");
        await ExpectMsgAsync("shutdown-2");
        // After the backoff the new instance subscribes again and receives: publish until it does, bounded.
        var after = Forward(1);
        Twist? received = null;
        for (var attempt = 0; attempt < 100 && received is null; attempt++)
        {
            Hub.Router.Tell(new TopicRouter.Publish("cmd", after));
            received = await ExpectWithinAsync<Twist>(TimeSpan.FromMilliseconds(100));
        }
        Assert.Same(after, received);
    }

    [Fact]
    public async Task Node_must_decode_typed_messages_from_an_external_publisher_and_survive_garbage()
    {
        await DeployReceiver("external-receiver", "ext-cmd");
        using var publisher = new PublisherSocket();
        publisher.Connect(Hub.InAddress);
        var command = Forward(2.5);
        var payload = GeckoSerializer.Encode(command);

        // Until the connection is up, messages are lost (ZeroMQ's slow joiner); publish until one arrives.
        Twist? received = null;
        for (var attempt = 0; attempt < 100 && received is null; attempt++)
        {
            publisher.SendMoreFrame("ext-cmd").SendFrame(new byte[] { 0xc1 }); // not MessagePack: a decode error, not a crash
            publisher.SendMoreFrame("ext-cmd").SendFrame(payload);
            received = await ExpectWithinAsync<Twist>(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(command, received);
        var stats = await Hub.GetStatsAsync();
        Assert.True(stats.Topic("ext-cmd")!.Messages >= 2);
    }

    [Fact]
    public async Task Node_must_count_and_log_payloads_it_cannot_decode_and_carry_on()
    {
        await DeployReceiver("picky-receiver", "picky-cmd");
        var log = CreateTestProbe();
        Hub.Router.Tell(new TopicRouter.Subscribe("log", log.Ref), log.Ref);
        await log.ExpectMsgAsync<TopicRouter.SubscribeAck>();
        using var publisher = new PublisherSocket();
        publisher.Connect(Hub.InAddress);
        var twist = GeckoSerializer.Encode(Forward(3));

        // A truncated twist until the warning shows (the connection may take a while): the documented decode error.
        TopicRouter.TopicMessage? warning = null;
        for (var attempt = 0; attempt < 100 && warning is null; attempt++)
        {
            publisher.SendMoreFrame("picky-cmd").SendFrame(twist.AsSpan(0, twist.Length - 4).ToArray());
            try
            {
                warning = await log.FishForMessageAsync<TopicRouter.TopicMessage>(
                    m => m.Message is LogMessage { Level: "WARN" } l && l.Name == "picky-receiver", TimeSpan.FromMilliseconds(100));
            }
            catch (Xunit.Sdk.XunitException) { }
        }

        Assert.NotNull(warning);
        var text = ((LogMessage)warning.Message).Text;
        Assert.StartsWith("cannot read a message on 'picky-cmd' as Twist (", text);
        Assert.Contains("so far): Cannot decode", text);
        // The node is still there and reads the next good message.
        publisher.SendMoreFrame("picky-cmd").SendFrame(twist);
        Assert.Equal(Forward(3), await ExpectMsgAsync<Twist>(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Node_must_run_work_at_its_rate_and_log_on_the_log_topic()
    {
        var ticks = CreateTestProbe();
        var log = CreateTestProbe();
        Hub.Router.Tell(new TopicRouter.Subscribe("ticks", ticks.Ref), ticks.Ref);
        Hub.Router.Tell(new TopicRouter.Subscribe("log", log.Ref), log.Ref);
        await ticks.ExpectMsgAsync<TopicRouter.SubscribeAck>();
        await log.ExpectMsgAsync<TopicRouter.SubscribeAck>();

        NodeHost.Deploy<Ticker>(Sys, Sys, "ticker", new NodeArguments([new("hz", "100")]));

        var up = await log.ExpectMsgAsync<TopicRouter.TopicMessage>(TimeSpan.FromSeconds(5));
        Assert.Equal(new LogMessage("INFO", "ticker", "ticker up"), up.Message);
        for (var i = 1; i <= 5; i++)
        {
            var tick = await ticks.ExpectMsgAsync<TopicRouter.TopicMessage>(TimeSpan.FromSeconds(5));
            Assert.Equal(new Vector(i, 0, 0), tick.Message);
        }
    }

    private async Task<T?> ExpectWithinAsync<T>(TimeSpan timeout) where T : class
    {
        try
        {
            return await ExpectMsgAsync<T>(timeout);
        }
        catch (Xunit.Sdk.XunitException)
        {
            return null;
        }
    }
}
