using Gecko.Actors.Nodes;

namespace Gecko.Launch.Demo;

/// <summary>The demo's in-process talker: publishes a greeting map on its topic at a fixed rate.</summary>
public sealed class Chatter : GeckoNode
{
    /// <summary>Arguments: <c>topic</c> (default hello), <c>hz</c> (default 10), <c>text</c>.</summary>
    public Chatter(NodeArguments args) : base(args)
    {
        var topic = Args.Get("topic", "hello");
        var text = Args.Get("text", "hello world");
        var publisher = Publisher<Dictionary<string, object>>(topic);
        long count = 0;
        Every(Args.Get("hz", 10.0), () => publisher.Publish(new Dictionary<string, object>
        {
            ["text"] = text,
            ["count"] = ++count,
            ["time"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0,
        }));
    }
}

/// <summary>The demo's in-process listener: counts what arrives on its topic and logs a summary now and then.</summary>
public sealed class Chatterbox : GeckoNode
{
    /// <summary>Arguments: <c>topic</c> (default hello), <c>report-every</c> messages (default 100).</summary>
    public Chatterbox(NodeArguments args) : base(args)
    {
        var topic = Args.Get("topic", "hello");
        var every = Args.Get("report-every", 100);
        long count = 0;
        Subscribe<Dictionary<string, object>>(topic, message =>
        {
            if (++count % every == 0) Log.Info($"heard {count} messages on '{topic}', last: {message.GetValueOrDefault("text")}");
        });
    }
}
