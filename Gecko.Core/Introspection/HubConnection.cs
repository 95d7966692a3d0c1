using System.Diagnostics;
using Gecko.Core.Discovery;
using Gecko.Core.Wire;
using NetMQ;
using NetMQ.Sockets;

namespace Gecko.Core.Introspection;

/// <summary>
/// A tool's connection to a hub through its two ZeroMQ endpoints only, so it works against a hub on another machine:
/// a SUB socket on the out side and a PUB socket on the in side. <see cref="Handshake"/> proves both directions work
/// before anything is published, which is how ZeroMQ's slow-joiner problem is solved: a PUB socket drops what it sends
/// until the hub's subscription has reached it, and nothing tells the sender when that happened — except an answer
/// that could only come after something sent on this very socket arrived. Not thread-safe: use it from one thread.
/// </summary>
/// <example>
/// <code>
/// using var hub = HubConnection.Open(HubLocator.Locate());
/// var report = hub.Handshake(TimeSpan.FromSeconds(5), token);   // the hub answered: its topics, nodes, ...
/// hub.Publish("cmd", payload);                                  // not lost: the in side is connected
/// </code>
/// </example>
public sealed class HubConnection : IDisposable
{
    /// <summary>How often an unanswered query is sent again.</summary>
    public static readonly TimeSpan QueryResendInterval = TimeSpan.FromMilliseconds(200);

    private static readonly byte[] StatsTopic = WireProtocol.EncodeTopic(ReservedTopics.Stats);
    private static readonly byte[] QueryTopic = WireProtocol.EncodeTopic(ReservedTopics.Query);

    private readonly SubscriberSocket _subscriber = new();
    private readonly PublisherSocket _publisher = new();
    private readonly HashSet<string> _subscriptions = new(StringComparer.Ordinal);
    private int _disposed;

    private HubConnection(HubLocation hub, long maxPayloadSize, TimeSpan linger)
    {
        Hub = hub;
        _subscriber.Options.Linger = TimeSpan.Zero;
        _subscriber.Options.MaxMsgSize = maxPayloadSize;
        _subscriber.Options.ReceiveHighWatermark = 100_000;
        // What was published must still leave when the tool exits right after: closing waits up to this long for it,
        // and nothing is dropped on the way for a full queue (a tool publishes what it was asked to, all of it).
        _publisher.Options.Linger = linger;
        _publisher.Options.SendHighWatermark = 0;
        _subscriber.Connect(hub.OutAddress);
        _publisher.Connect(hub.InAddress);
    }

    /// <summary>The hub this connection goes to, and how it was found.</summary>
    public HubLocation Hub { get; }

    /// <summary>Connects to <paramref name="hub"/>'s endpoints (ZeroMQ connects in the background; see <see cref="Handshake"/>).</summary>
    /// <param name="hub">Where the hub is.</param>
    /// <param name="maxPayloadSize">The largest frame accepted from the hub (ZMQ_MAXMSGSIZE); a larger one drops the connection.</param>
    /// <param name="linger">How long closing waits for published messages to leave.</param>
    /// <exception cref="GeckoConfigurationException">An endpoint is <c>ipc://</c>, which NetMQ cannot dial, or malformed.</exception>
    public static HubConnection Open(HubLocation hub, long maxPayloadSize = 64L * 1024 * 1024, TimeSpan? linger = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        foreach (var (endpoint, what) in new[] { (hub.InAddress, "in"), (hub.OutAddress, "out") })
        {
            Endpoint.Validate(endpoint, $"the hub's {what} endpoint");
            if (Endpoint.IsIpc(endpoint))
                throw new GeckoConfigurationException(
                    $"the hub's {what} endpoint is {endpoint}, a Unix socket, which NetMQ (and so this tool) cannot dial: " +
                    "run the hub with tcp:// endpoints (e.g. --in tcp://127.0.0.1:9998 --out tcp://127.0.0.1:9999) to use the tools.");
        }
        return new HubConnection(hub, maxPayloadSize, linger ?? TimeSpan.FromSeconds(2));
    }

    /// <summary>
    /// Sends <see cref="StatsQuery"/> requests through the in side (again every <see cref="QueryResendInterval"/>) until
    /// the hub's report answering one arrives on the out side; then both directions are proven to work. Messages on
    /// other subscribed topics that arrive meanwhile are dropped.
    /// </summary>
    /// <returns>The answering report, or null when none came within <paramref name="timeout"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="token"/> fired.</exception>
    public StatsReport? Handshake(TimeSpan timeout, CancellationToken token = default) => QueryStats(timeout, token);

    /// <summary>Asks the hub for a fresh report and waits for it (see <see cref="Handshake"/>); null after <paramref name="timeout"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="token"/> fired.</exception>
    public StatsReport? QueryStats(TimeSpan timeout, CancellationToken token = default)
    {
        Subscribe(ReservedTopics.Stats);
        var query = StatsQuery.CreateUnique();
        var payload = query.Encode();
        var started = Stopwatch.GetTimestamp();
        var nextSend = TimeSpan.Zero;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed >= timeout) return null;
            if (elapsed >= nextSend)
            {
                _publisher.SendMoreFrame(QueryTopic).SendFrame(payload);
                nextSend = elapsed + QueryResendInterval;
            }
            var wait = Min(nextSend - elapsed, timeout - elapsed, TimeSpan.FromMilliseconds(100));
            if (!TryReceive(wait, out var topic, out var frame)) continue;
            if (topic != ReservedTopics.Stats || !StatsReport.TryDecode(frame, out var report)) continue;
            if (report!.ReplyTo.Contains(query.Id)) return report;
        }
    }

    /// <summary>Subscribes to every topic starting with <paramref name="prefix"/> ("" for all).</summary>
    public void Subscribe(string prefix)
    {
        if (_subscriptions.Add(prefix)) _subscriber.Subscribe(prefix);
    }

    /// <summary>Drops a subscription made with <see cref="Subscribe"/>.</summary>
    public void Unsubscribe(string prefix)
    {
        if (_subscriptions.Remove(prefix)) _subscriber.Unsubscribe(prefix);
    }

    /// <summary>Publishes one message through the hub.</summary>
    public void Publish(byte[] topic, byte[] payload) => _publisher.SendMoreFrame(topic).SendFrame(payload);

    /// <summary>
    /// Receives one message of a subscribed topic, waiting at most <paramref name="timeout"/>. A message that is not two
    /// frames, or whose topic is not UTF-8, is skipped (false), never thrown.
    /// </summary>
    public bool TryReceive(TimeSpan timeout, out string topic, out byte[] payload)
    {
        topic = "";
        payload = [];
        // NetMQ takes whole milliseconds, and a timeout that is not zero but rounds down to 0 ms makes it poll forever:
        // round up.
        var milliseconds = Math.Ceiling(timeout.TotalMilliseconds);
        timeout = milliseconds <= 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(milliseconds);
        if (!_subscriber.TryReceiveFrameBytes(timeout, out var topicFrame, out var more)) return false;
        if (!more) return false;
        payload = _subscriber.ReceiveFrameBytes(out more);
        if (more)
        {
            _subscriber.SkipMultipartMessage();
            return false;
        }
        return WireProtocol.TryDecodeTopic(topicFrame, out topic);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b, TimeSpan c) =>
        TimeSpan.FromTicks(Math.Max(0, Math.Min(a.Ticks, Math.Min(b.Ticks, c.Ticks))));

    /// <summary>Closes both sockets; published messages get the linger time to leave.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _subscriber.Dispose();
        _publisher.Dispose();
    }
}
