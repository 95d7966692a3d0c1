using Akka.Actor;
using Gecko.Actors.Nodes;
using Gecko.Core.Hub;
using Gecko.Core.Messages;
using Gecko.Core.Routing;
using Gecko.Examples.InProcess;

// A hub and two in-process nodes in one process. The listener receives the talker's very Twist instances;
// the hub still serves external nodes, on ports the OS picks: they find it by its core file (try `gecko find`).
using var system = ActorSystem.Create("example", "akka.loglevel = WARNING");
await using var hub = await GeckoHub.StartAsync(system, CoreSettings.Default with { InAddress = "tcp://127.0.0.1:0", OutAddress = "tcp://127.0.0.1:0" });
Console.WriteLine($"hub: in {hub.InAddress} out {hub.OutAddress}");

var printer = system.ActorOf(Props.Create(() => new LogPrinter()), "log-printer");
hub.Router.Tell(new TopicRouter.Subscribe("log", printer));
NodeHost.Deploy<Listener>(system, system, "listener");
NodeHost.Deploy<Talker>(system, system, "talker", new NodeArguments([new("hz", "2")]));

var seconds = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 5;
await Task.Delay(TimeSpan.FromSeconds(seconds));
await system.Terminate();

internal sealed class LogPrinter : ReceiveActor
{
    public LogPrinter() =>
        Receive<TopicRouter.TopicMessage>(m =>
        {
            if (m.Message is LogMessage log) Console.WriteLine($"[{log.Level}] {log.Name}: {log.Text}");
        });
}
