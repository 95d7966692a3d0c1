using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gecko.Core.Bridge.Internal;
using Gecko.Core.Discovery;
using Gecko.Core.Introspection;
using Gecko.Launch.Bench.Hubs;
using NetMQ;
using NetMQ.Sockets;

namespace Gecko.Launch.Bench.Soak;

/// <summary>One topic of the soak's mix: its share of the rate and its payload size.</summary>
/// <param name="Name">The topic.</param>
/// <param name="PayloadBytes">Bytes per message (a sequence number in the first eight).</param>
/// <param name="Share">Its part of the total rate.</param>
internal sealed record SoakTopic(string Name, int PayloadBytes, double Share);

/// <summary>What one soak topic saw: sent once, received by each subscriber.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Sent">Messages published.</param>
/// <param name="Received">Messages each subscriber received, in order of subscribers.</param>
/// <param name="OutOfOrder">Messages that came out of sequence (repeated or after a gap), all subscribers.</param>
/// <param name="HubDropped">What the hub counted as dropped on the topic.</param>
internal sealed record SoakTopicResult(string Topic, long Sent, IReadOnlyList<long> Received, long OutOfOrder, long HubDropped)
{
    /// <summary>Messages some subscriber did not get.</summary>
    public long Lost => Received.Sum(r => Sent - r);
}

/// <summary>The soak's outcome.</summary>
/// <param name="Duration">How long traffic flowed.</param>
/// <param name="Topics">Per topic.</param>
/// <param name="HubMalformed">Malformed messages the hub counted (none are sent).</param>
/// <param name="Memory">The hub's resident memory, sampled every second: seconds since the start and bytes.</param>
/// <param name="Baseline">The hub's resident memory once warm (the first sample after a fifth of the run, at most 60 s).</param>
/// <param name="Peak">The hub's peak resident memory (VmHWM) at the end.</param>
internal sealed record SoakResult(
    TimeSpan Duration, IReadOnlyList<SoakTopicResult> Topics, long HubMalformed, IReadOnlyList<(double Seconds, long Bytes)> Memory, long Baseline, long Peak)
{
    /// <summary>Resident memory growth the soak accepts after warm-up.</summary>
    public const long MaxGrowth = 64L * 1024 * 1024;

    /// <summary>All messages published.</summary>
    public long Sent => Topics.Sum(t => t.Sent);

    /// <summary>Messages published per second.</summary>
    public double Rate => Sent / Duration.TotalSeconds;

    /// <summary>Resident memory at the end less the warm baseline.</summary>
    public long Growth => (Memory.Count == 0 ? Baseline : Memory[^1].Bytes) - Baseline;

    /// <summary>The trend of resident memory after warm-up, bytes per minute (least squares).</summary>
    public double SlopePerMinute
    {
        get
        {
            var warm = Memory.Where(m => m.Bytes != 0).SkipWhile(m => m.Bytes != Baseline).ToArray();
            if (warm.Length < 2) return 0;
            double n = warm.Length, sx = warm.Sum(m => m.Seconds), sy = warm.Sum(m => (double)m.Bytes);
            double sxx = warm.Sum(m => m.Seconds * m.Seconds), sxy = warm.Sum(m => m.Seconds * m.Bytes);
            var denominator = n * sxx - sx * sx;
            return denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator * 60;
        }
    }

    /// <summary>Nothing lost, nothing out of order, nothing dropped or malformed at the hub, memory flat.</summary>
    public bool Passed => Topics.All(t => t.Lost == 0 && t.OutOfOrder == 0 && t.HubDropped == 0) && HubMalformed == 0 && Growth < MaxGrowth;

    /// <summary>The report, a line each.</summary>
    public IEnumerable<string> Lines()
    {
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c, $"soak: {Sent:N0} messages in {Duration.TotalSeconds:0} s ({Rate:N0} msgs/s), {Topics[0].Received.Count} subscribers each");
        foreach (var t in Topics)
            yield return string.Create(c, $"  {t.Topic,-12} sent {t.Sent,12:N0}  received {string.Join(" / ", t.Received.Select(r => r.ToString("N0", c)))}  lost {t.Lost}  out of order {t.OutOfOrder}  hub dropped {t.HubDropped}");
        yield return string.Create(c, $"  hub malformed {HubMalformed}; hub RSS warm {Baseline / 1e6:0.0} MB, end {(Memory.Count == 0 ? 0 : Memory[^1].Bytes) / 1e6:0.0} MB, " +
                                      $"growth {Growth / 1e6:0.0} MB, trend {SlopePerMinute / 1e6:0.00} MB/min, peak {Peak / 1e6:0.0} MB");
        yield return Passed ? "soak: PASSED" : string.Create(c, $"soak: FAILED (lost, reordered, dropped or malformed messages, or memory grew by {MaxGrowth / 1048576} MB or more)");
    }
}

/// <summary>
/// <c>gecko bench --soak</c>: a steady mixed load through a real <c>gecko core</c> for a long time (default 10 minutes
/// at 20 000 msgs/s), with exact counts at the end and the hub's memory sampled every second. Publishers never drop
/// on their side (no high-water mark), so whatever is missing was lost by the hub: below its high-water marks, nothing.
/// </summary>
internal static class SoakRun
{
    /// <summary>The soak's length unless --duration says otherwise.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromMinutes(10);

    /// <summary>The soak's rate unless --rate says otherwise.</summary>
    public const double DefaultRate = 20_000;

    /// <summary>An IMU-, odometry-, laser- and camera-like mix: half the messages are 64 B, one in twenty is 16 kB.</summary>
    public static readonly IReadOnlyList<SoakTopic> Mix =
    [
        new("soak/imu", 64, 0.50),
        new("soak/odom", 256, 0.30),
        new("soak/scan", 2048, 0.15),
        new("soak/image", 16384, 0.05),
    ];

    private const int Subscribers = 2;
    private const string Control = "soak.ctl/";
    private static readonly TimeSpan FinishTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Runs the soak; progress lines go to <paramref name="progress"/> every <paramref name="progressEvery"/>.</summary>
    public static async Task<SoakResult> RunAsync(TimeSpan duration, double rate, TextWriter progress, TimeSpan progressEvery, CancellationToken token)
    {
        NetMqFastClock.TryEnable();
        var temp = Directory.CreateTempSubdirectory("gecko-soak-");
        try
        {
            await using var hub = await HubProcess.StartAsync(HubKind.Gecko, temp.FullName, BenchOptions.StartTimeout, asUserRunsIt: true);
            await progress.WriteLineAsync($"soak: {duration.TotalSeconds:0} s at {rate:N0} msgs/s over {Mix.Count} topics through gecko core (pid {hub.Probe.Pid})");
            var publishers = Mix.Select(_ => Socket(new PublisherSocket(), s => s.Connect(hub.InAddress))).ToArray();
            var subscribers = Enumerable.Range(0, Subscribers).Select(_ => Socket(new SubscriberSocket(), s =>
            {
                s.Subscribe("soak");
                s.Connect(hub.OutAddress);
            })).ToArray();
            try
            {
                Handshake(publishers, subscribers, token);
                var counts = subscribers.Select(_ => new Tally()).ToArray();
                using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(token);
                var readers = subscribers.Select((s, i) => Task.Factory.StartNew(() => Read(s, counts[i], stopReading.Token), TaskCreationOptions.LongRunning)).ToArray();

                var memory = new List<(double, long)>();
                var clock = Stopwatch.StartNew();
                var sent = await Task.Factory.StartNew(() => Publish(publishers, duration, rate, clock, memory, hub.Probe, progress, progressEvery, token),
                    TaskCreationOptions.LongRunning);
                for (var p = 0; p < publishers.Length; p++) publishers[p].SendMoreFrame($"{Control}end/{p}").SendFrame([]);
                try
                {
                    await Task.WhenAll(readers).WaitAsync(FinishTimeout, token);
                }
                catch (TimeoutException)
                {
                    await stopReading.CancelAsync();
                    throw new BenchException($"soak: the subscribers did not get every end marker within {FinishTimeout.TotalSeconds:0} s (received " +
                                             string.Join(", ", counts.Select(c => c.Received.Sum().ToString("N0", CultureInfo.InvariantCulture))) + ").");
                }
                memory.Add((clock.Elapsed.TotalSeconds, hub.Probe.ResidentBytes()));

                using var tool = HubConnection.Open(new HubLocation(hub.InAddress, hub.OutAddress, HubSource.Explicit));
                var report = tool.QueryStats(FinishTimeout, token) ?? throw new BenchException("gecko core did not answer a stats query after the soak.");
                var topics = Mix.Select((t, i) => new SoakTopicResult(t.Name, sent[i], counts.Select(c => c.Received[i]).ToArray(),
                    counts.Sum(c => c.OutOfOrder[i]), report.Stats.Topic(t.Name)?.Dropped ?? 0)).ToArray();
                var warmAfter = Math.Min(60, duration.TotalSeconds / 5);
                var baseline = memory.FirstOrDefault(m => m.Item1 >= warmAfter, memory[^1]).Item2;
                return new SoakResult(duration, topics, report.Stats.MalformedTotal, memory, baseline, hub.Probe.PeakResidentBytes());
            }
            finally
            {
                foreach (var socket in publishers) socket.Dispose();
                foreach (var socket in subscribers) socket.Dispose();
            }
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private static T Socket<T>(T socket, Action<T> connect) where T : NetMQSocket
    {
        // No limits on the load's side: a publisher that gets ahead queues, and a subscriber queues what it has not read.
        socket.Options.SendHighWatermark = 0;
        socket.Options.ReceiveHighWatermark = 0;
        socket.Options.Linger = TimeSpan.FromSeconds(5);
        connect(socket);
        return socket;
    }

    /// <summary>Probes from every publisher until every subscriber has one from each: all connected and subscribed.</summary>
    private static void Handshake(PublisherSocket[] publishers, SubscriberSocket[] subscribers, CancellationToken token)
    {
        var seen = new HashSet<(int, string)>();
        var deadline = DateTime.UtcNow + BenchOptions.StartTimeout;
        while (seen.Count < publishers.Length * subscribers.Length)
        {
            token.ThrowIfCancellationRequested();
            if (DateTime.UtcNow > deadline) throw new BenchException("soak: the publishers and subscribers did not all reach the hub.");
            for (var p = 0; p < publishers.Length; p++) publishers[p].SendMoreFrame($"{Control}probe/{p}").SendFrame([]);
            for (var s = 0; s < subscribers.Length; s++)
                while (subscribers[s].TryReceiveFrameString(TimeSpan.FromMilliseconds(20), out var topic))
                {
                    subscribers[s].SkipFrame();
                    seen.Add((s, topic));
                }
        }
    }

    /// <summary>Publishes the mix at <paramref name="rate"/> until <paramref name="duration"/> is over; returns what each topic sent.</summary>
    private static long[] Publish(PublisherSocket[] publishers, TimeSpan duration, double rate, Stopwatch clock, List<(double, long)> memory,
        Bench.Measurement.ProcessProbe hub, TextWriter progress, TimeSpan progressEvery, CancellationToken token)
    {
        var sent = new long[Mix.Count];
        var topics = Mix.Select(t => Encoding.UTF8.GetBytes(t.Name)).ToArray();
        var payloads = Mix.Select(t => new byte[t.PayloadBytes]).ToArray();
        var nextSample = TimeSpan.Zero;
        var nextProgress = progressEvery;
        while (clock.Elapsed < duration && !token.IsCancellationRequested)
        {
            var elapsed = clock.Elapsed;
            for (var t = 0; t < Mix.Count; t++)
            {
                var due = (long)(elapsed.TotalSeconds * rate * Mix[t].Share);
                for (; sent[t] < due; sent[t]++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(payloads[t], sent[t]);
                    publishers[t].SendFrame(topics[t], more: true);
                    publishers[t].SendFrame(payloads[t]);
                }
            }
            if (elapsed >= nextSample)
            {
                memory.Add((elapsed.TotalSeconds, hub.ResidentBytes()));
                nextSample += TimeSpan.FromSeconds(1);
            }
            if (elapsed >= nextProgress)
            {
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"soak: {elapsed.TotalSeconds:0} s, {sent.Sum():N0} messages, hub RSS {memory[^1].Item2 / 1e6:0.0} MB"));
                nextProgress += progressEvery;
            }
            // A steady rate in 1 ms steps: the messages due since the last step go out together.
            Thread.Sleep(1);
        }
        return sent;
    }

    private sealed class Tally
    {
        public readonly long[] Received = new long[Mix.Count];
        public readonly long[] OutOfOrder = new long[Mix.Count];
    }

    /// <summary>Reads until every publisher's end marker came, checking each topic's sequence.</summary>
    private static void Read(SubscriberSocket subscriber, Tally tally, CancellationToken token)
    {
        var index = Mix.Select((t, i) => (t.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var ends = 0;
        var topic = new Msg();
        var payload = new Msg();
        topic.InitEmpty();
        payload.InitEmpty();
        try
        {
            while (ends < Mix.Count)
            {
                token.ThrowIfCancellationRequested();
                if (!subscriber.TryReceive(ref topic, TimeSpan.FromMilliseconds(100))) continue;
                subscriber.Receive(ref payload);
                var name = Encoding.UTF8.GetString(topic.Slice());
                if (index.TryGetValue(name, out var t))
                {
                    var sequence = BinaryPrimitives.ReadInt64LittleEndian(payload.Slice());
                    if (sequence != tally.Received[t]) tally.OutOfOrder[t]++;
                    tally.Received[t]++;
                }
                else if (name.StartsWith(Control + "end/", StringComparison.Ordinal)) ends++;
            }
        }
        finally
        {
            topic.Close();
            payload.Close();
        }
    }
}
