using System.Collections.Concurrent;
using System.Diagnostics;
using Gecko.Actors.Nodes;
using Gecko.Core.Messages;
using Gecko.Core.Routing;
using Gecko.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Gecko.Actors.Tests.Nodes;

/// <summary>What a test node saw, shared with the test by the name in its arguments (one per test).</summary>
public sealed class Tally
{
    private static readonly ConcurrentDictionary<string, Tally> All = new();

    public static Tally For(string key) => All.GetOrAdd(key, _ => new Tally());

    /// <summary>Ticks received, each checked to be the next in sequence (a gap or repeat sets <see cref="OutOfOrder"/>).</summary>
    public long Received;

    public volatile bool OutOfOrder;

    /// <summary>When each instance started and when each failed (Stopwatch timestamps).</summary>
    public readonly ConcurrentQueue<long> Starts = new();

    public readonly ConcurrentQueue<long> Failures = new();
}

/// <summary>Counts the ticks on "ticks", in order.</summary>
public sealed class TickCounter : GeckoNode
{
    public TickCounter(NodeArguments args) : base(args)
    {
        var tally = Tally.For(args.Get("tally", ""));
        tally.Starts.Enqueue(Stopwatch.GetTimestamp());
        Subscribe<Vector>("ticks", tick =>
        {
            if ((long)tick.X != tally.Received + 1) tally.OutOfOrder = true;
            Interlocked.Increment(ref tally.Received);
        });
    }
}

/// <summary>Throws on the first tick each instance receives, until it has failed <c>failures</c> times in all.</summary>
public sealed class FailingNode : GeckoNode
{
    public FailingNode(NodeArguments args) : base(args)
    {
        var tally = Tally.For(args.Get("tally", ""));
        var failures = (int)args.Get("failures", 3.0);
        tally.Starts.Enqueue(Stopwatch.GetTimestamp());
        Subscribe<Vector>("ticks", _ =>
        {
            if (tally.Failures.Count >= failures) return;
            tally.Failures.Enqueue(Stopwatch.GetTimestamp());
            throw new InvalidOperationException("sensor fault");
        });
    }
}

/// <summary>
/// An in-process node that keeps throwing is restarted with backoff (0.2 s, 0.4 s, 0.8 s: it fails again at once each
/// time), while two other nodes on the same topic receive every message, in order, through all of it.
/// </summary>
public sealed class NodeCrashSpec(ITestOutputHelper output) : HubTestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Failing_node_must_be_restarted_with_backoff_while_the_others_lose_nothing()
    {
        var key = Guid.NewGuid().ToString("N");
        NodeArguments Args(string name) => new([new("tally", key + name), new("failures", "3")]);
        NodeHost.Deploy<TickCounter>(Sys, Sys, "steady-1", Args("steady-1"));
        NodeHost.Deploy<TickCounter>(Sys, Sys, "steady-2", Args("steady-2"));
        NodeHost.Deploy<FailingNode>(Sys, Sys, "failing", Args("failing"));
        var steady = new[] { Tally.For(key + "steady-1"), Tally.For(key + "steady-2") };
        var failing = Tally.For(key + "failing");
        await Eventually.UntilAsync(() => Hub.Topics.TryGet("ticks", out var t) && t.LocalSubscribers == 3, Timeout, "three subscribers of ticks");

        // Ticks in batches, each once the steady nodes have the one before (a pace the router keeps up with on any
        // machine), until the failing node has been restarted three times and is running again.
        long published = 0;
        var deadline = DateTime.UtcNow + Timeout;
        while (failing.Starts.Count < 4 || published < 10_000)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{failing.Starts.Count} starts and {failing.Failures.Count} failures of the failing node after {published} ticks.");
            for (var i = 0; i < 100; i++) Hub.Router.Tell(new TopicRouter.Publish("ticks", new Vector(++published, 0, 0)), Akka.Actor.ActorRefs.NoSender);
            await Eventually.UntilAsync(() => steady.All(t => Volatile.Read(ref t.Received) >= published), Timeout, $"tick {published} at the steady nodes");
        }

        var starts = failing.Starts.ToArray();
        var failures = failing.Failures.ToArray();
        var delays = Enumerable.Range(0, 3).Select(i => Stopwatch.GetElapsedTime(failures[i], starts[i + 1])).ToArray();
        output.WriteLine($"{published:N0} ticks; restart delays {string.Join(", ", delays.Select(d => $"{d.TotalMilliseconds:0} ms"))}");

        Assert.All(steady, t => Assert.Equal(published, Volatile.Read(ref t.Received)));
        Assert.All(steady, t => Assert.False(t.OutOfOrder));
        Assert.All(steady, t => Assert.Single(t.Starts));
        Assert.Equal(3, failures.Length);
        Assert.Equal(4, starts.Length);
        // Exponential backoff from 0.2 s (NodeSupervision.Default): each restart waits at least twice the one before.
        for (var i = 0; i < delays.Length; i++)
            Assert.True(delays[i] >= TimeSpan.FromMilliseconds(200 << i) - TimeSpan.FromMilliseconds(10), $"restart {i + 1} came after {delays[i].TotalMilliseconds:0} ms");
    }
}
