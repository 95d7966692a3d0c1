using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Gecko.Core.Discovery;
using Gecko.Testing;
using NetMQ;
using NetMQ.Sockets;
using Xunit;
using Xunit.Abstractions;

namespace Gecko.Launch.Tests.Security;

/// <summary>
/// Thousands of garbage TCP connections (random bytes, half a ZMTP greeting, a handshake followed by nonsense, frames
/// announcing megabytes that never come) on both of a real <c>gecko core</c>'s ports while real traffic flows: the hub
/// stays up, the real traffic arrives complete and in order, and the hub's own peak resident memory (VmHWM from
/// /proc, the hub being a child process) stays within the bound the README gives.
/// </summary>
public sealed partial class GarbageConnectionTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private const int Connections = 6000;
    private const int Workers = 24;
    /// <summary>Connections each worker holds open (hanging) at once; older ones are closed as new ones come.</summary>
    private const int HeldPerWorker = 8;
    private const long PeakBound = 150L * 1024 * 1024;

    private readonly TempFolder _temp = new("gecko-garbage-test-");
    private readonly string _key = $"test-{Guid.NewGuid():N}";

    public void Dispose() => _temp.Dispose();

    [GeneratedRegex(@"^GeckoCore started: in tcp://127\.0\.0\.1:(?<in>\d+)\s+out tcp://127\.0\.0\.1:(?<out>\d+)\s.*\bpid (?<pid>\d+)\)$")]
    private static partial Regex StartLine();

    [Fact]
    public async Task Core_UnderGarbageConnectionsOnBothPorts_StaysUpDeliversRealTrafficCompletelyAndBoundsItsMemory()
    {
        using var core = ChildProcess.Gecko(["core", "--in", "tcp://127.0.0.1:0", "--out", "tcp://127.0.0.1:0", "--key", _key, "--quiet"],
            new Dictionary<string, string> { ["TMPDIR"] = _temp.Path});
        var started = StartLine().Match(await core.WaitForLineAsync(l => l.StartsWith("GeckoCore started:", StringComparison.Ordinal), Timeout));
        Assert.True(started.Success, core.Transcript);
        var inPort = int.Parse(started.Groups["in"].Value, CultureInfo.InvariantCulture);
        var outPort = int.Parse(started.Groups["out"].Value, CultureInfo.InvariantCulture);
        var pid = int.Parse(started.Groups["pid"].Value, CultureInfo.InvariantCulture);
        var idle = ReadStatusKb(pid, "VmRSS");

        using var real = await RealTraffic.StartAsync($"tcp://127.0.0.1:{inPort}", $"tcp://127.0.0.1:{outPort}");
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var garbage = new Garbage(seed, inPort, outPort);
        var attack = Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(() => garbage.RunWorkerAsync(w, Connections / Workers))));
        var peakRss = 0L;
        var sent = 0;
        // Real messages go out at a steady 5000/s while the garbage comes in, until the attack is over.
        using (var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(10)))
        {
            while (!attack.IsCompleted && await pace.WaitForNextTickAsync())
            {
                sent = real.Publish(sent, 50);
                peakRss = Math.Max(peakRss, ReadStatusKb(pid, "VmRSS"));
            }
        }
        await attack;
        sent = real.Publish(sent, 50);
        var beaconAnswered = garbage.BeaconGarbageThenLookUp(_key);

        await real.WaitForAllAsync(sent, Timeout);
        Assert.False(core.HasExited, core.Transcript);
        var hwm = ReadStatusKb(pid, "VmHWM");
        output.WriteLine($"garbage connections {garbage.Opened} ({garbage.Summary}); real messages {sent}, received {real.Received} in order; " +
                         $"hub RSS idle {idle / 1024.0:0.0} MB, sampled peak {peakRss / 1024.0:0.0} MB, VmHWM {hwm / 1024.0:0.0} MB");
        Assert.Equal(Connections / Workers * Workers, garbage.Opened);
        Assert.Equal(sent, real.Received);
        Assert.True(hwm * 1024 <= PeakBound, $"the hub's peak resident memory was {hwm / 1024.0:0.0} MB, over {PeakBound >> 20} MB");
        Assert.True(beaconAnswered, "the beacon answered a real look-up after the garbage datagrams");
    }

    private static long ReadStatusKb(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"no {field} in /proc/{pid}/status");
    }

    /// <summary>Sequence-numbered messages on one topic, checked for gaps and order by a subscriber.</summary>
    private sealed class RealTraffic : IDisposable
    {
        private readonly PublisherSocket _publisher = new();
        private readonly SubscriberSocket _subscriber = new();
        private long _next;
        private long _outOfOrder;
        private string? _firstBad;

        private RealTraffic(string inAddress, string outAddress)
        {
            _publisher.Options.Linger = TimeSpan.Zero;
            _subscriber.Options.Linger = TimeSpan.Zero;
            // On this shared machine the test process itself may stall for a while: its own queues must not drop
            // (NetMQ's default of 1000 would), so a gap can only be the hub's.
            _publisher.Options.SendHighWatermark = 1_000_000;
            _subscriber.Options.ReceiveHighWatermark = 1_000_000;
            _publisher.Connect(inAddress);
            _subscriber.Connect(outAddress);
            _subscriber.Subscribe("real");
        }

        public long Received => Interlocked.Read(ref _next);

        public static async Task<RealTraffic> StartAsync(string inAddress, string outAddress)
        {
            var traffic = new RealTraffic(inAddress, outAddress);
            // Handshake: probes until one comes through, so the real sequence starts on a working path.
            var deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                Assert.True(DateTime.UtcNow < deadline, "no probe came through the hub");
                traffic._publisher.SendMoreFrame("real").SendFrame(BitConverter.GetBytes(-1L));
                if (traffic._subscriber.TryReceiveFrameString(TimeSpan.FromMilliseconds(100), out _))
                {
                    traffic._subscriber.SkipMultipartMessage();
                    break;
                }
            }
            while (traffic._subscriber.TrySkipMultipartMessage(TimeSpan.FromMilliseconds(200))) { }
            return traffic;
        }

        public int Publish(int from, int count)
        {
            for (var i = from; i < from + count; i++) _publisher.SendMoreFrame("real").SendFrame(BitConverter.GetBytes((long)i));
            Drain();
            return from + count;
        }

        public async Task WaitForAllAsync(int sent, TimeSpan timeout) =>
            await Eventually.UntilAsync(() =>
            {
                Drain();
                return Received >= sent || _outOfOrder > 0;
            }, timeout, $"all {sent} real messages", () => $"received {Received}");

        private void Drain()
        {
            while (_subscriber.TryReceiveFrameString(TimeSpan.Zero, out _))
            {
                var sequence = BitConverter.ToInt64(_subscriber.ReceiveFrameBytes());
                if (sequence < 0) continue; // a late probe
                if (sequence == _next) Interlocked.Increment(ref _next);
                else { Interlocked.Increment(ref _outOfOrder); _firstBad ??= $"got {sequence} when {_next} was next"; }
            }
            Assert.True(_outOfOrder == 0, $"real message out of order or missing: {_firstBad}");
        }

        public void Dispose()
        {
            _publisher.Dispose();
            _subscriber.Dispose();
        }
    }

    /// <summary>The garbage: what a port scanner, a confused client or a hostile peer sends.</summary>
    private sealed class Garbage(int seed, int inPort, int outPort)
    {
        private int _opened;
        private readonly int[] _kinds = new int[Kinds];

        private const int Kinds = 9;

        public int Opened => Volatile.Read(ref _opened);

        public string Summary => string.Join(", ", _kinds.Select((count, kind) => $"{Name(kind)} {count}"));

        private static string Name(int kind) => kind switch
        {
            0 => "connect-close",
            1 => "random bytes",
            2 => "random bytes held",
            3 => "half a greeting held",
            4 => "greeting then random",
            5 => "handshake then a huge frame held",
            6 => "handshake then bad frames",
            7 => "wrong mechanism",
            _ => "handshake then 1 MB of frames",
        };

        public async Task RunWorkerAsync(int worker, int count)
        {
            var random = new Random(seed + worker);
            var held = new Queue<Socket>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var kind = random.Next(Kinds);
                    Interlocked.Increment(ref _kinds[kind]);
                    var port = random.Next(2) == 0 ? inPort : outPort;
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(IPAddress.Loopback, port);
                        Interlocked.Increment(ref _opened);
                        var hold = await SendAsync(socket, kind, port == inPort, random);
                        if (hold)
                        {
                            held.Enqueue(socket);
                            if (held.Count > HeldPerWorker) Close(held.Dequeue());
                            continue;
                        }
                    }
                    catch (SocketException)
                    {
                        // The hub dropped the connection first: what it should do with garbage.
                    }
                    Close(socket);
                }
            }
            finally
            {
                while (held.Count > 0) Close(held.Dequeue());
            }
        }

        private static void Close(Socket socket)
        {
            try
            {
                // Half of them vanish with a reset rather than a FIN, as a crashed peer's do.
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (SocketException) { }
        }

        /// <summary>Sends one kind of garbage; true when the connection is to be held open.</summary>
        private static async Task<bool> SendAsync(Socket socket, int kind, bool toIn, Random random)
        {
            switch (kind)
            {
                case 0:
                    return false;
                case 1:
                case 2:
                    await socket.SendAsync(RandomBytes(random, random.Next(1, 4096)));
                    return kind == 2;
                case 3:
                    await socket.SendAsync(Greeting("NULL").AsMemory(0, random.Next(1, 64)));
                    return true;
                case 4:
                    await socket.SendAsync(Greeting("NULL"));
                    await socket.SendAsync(RandomBytes(random, random.Next(1, 2048)));
                    return random.Next(2) == 0;
                case 5:
                    // A frame announced at 8 MiB (the default payload limit) of which only a little ever comes.
                    await socket.SendAsync(Handshake(toIn));
                    await socket.SendAsync(LongFrameHeader(AnnouncedSizes[random.Next(AnnouncedSizes.Length)], more: false));
                    await socket.SendAsync(RandomBytes(random, random.Next(1, 64 * 1024)));
                    return true;
                case 6:
                    await socket.SendAsync(Handshake(toIn));
                    await socket.SendAsync(BadFrames(random));
                    return false;
                case 7:
                    await socket.SendAsync(Greeting(random.Next(2) == 0 ? "CURVE" : "PLAIN"));
                    await socket.SendAsync(RandomBytes(random, random.Next(1, 512)));
                    return random.Next(2) == 0;
                default:
                    // Valid-looking two-frame messages with random topics and payloads up to 64 KiB: a megabyte in all.
                    await socket.SendAsync(Handshake(toIn));
                    var total = 0;
                    while (total < 1 << 20)
                    {
                        var topic = RandomBytes(random, random.Next(1, 40));
                        var payload = RandomBytes(random, random.Next(0, 64 * 1024));
                        await socket.SendAsync(Frame(topic, more: true));
                        await socket.SendAsync(Frame(payload, more: false));
                        total += topic.Length + payload.Length;
                    }
                    return false;
            }
        }

        /// <summary>Announced frame sizes: the default payload limit, NetMQ's pooled sizes and odd ones between.</summary>
        private static readonly long[] AnnouncedSizes = [8L << 20, 4L << 20, (1L << 20) + 1, 3L << 20, 256L << 10];

        private static byte[] RandomBytes(Random random, int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }

        /// <summary>A ZMTP 3.0 greeting offering <paramref name="mechanism"/>, as a client.</summary>
        private static byte[] Greeting(string mechanism)
        {
            var greeting = new byte[64];
            greeting[0] = 0xFF;
            greeting[9] = 0x7F;
            greeting[10] = 3;
            Encoding.ASCII.GetBytes(mechanism).CopyTo(greeting, 12);
            return greeting;
        }

        /// <summary>A NULL greeting and READY as a PUB (to the in port) or SUB (to the out port).</summary>
        private static byte[] Handshake(bool toIn)
        {
            var type = toIn ? "PUB" : "SUB";
            var body = new List<byte> { 5 };
            body.AddRange("READY"u8.ToArray());
            body.Add(11);
            body.AddRange("Socket-Type"u8.ToArray());
            body.AddRange(new byte[] { 0, 0, 0, (byte)type.Length });
            body.AddRange(Encoding.ASCII.GetBytes(type));
            return [.. Greeting("NULL"), 0x04, (byte)body.Count, .. body];
        }

        private static byte[] Frame(byte[] data, bool more)
        {
            if (data.Length < 256) return [(byte)(more ? 1 : 0), (byte)data.Length, .. data];
            return [.. LongFrameHeader(data.Length, more), .. data];
        }

        private static byte[] LongFrameHeader(long size, bool more)
        {
            var header = new byte[9];
            header[0] = (byte)(more ? 3 : 2);
            BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(1), size);
            return header;
        }

        /// <summary>Frames a hub must count and drop: single frames, three frames, empty and oversized topics, bad flags.</summary>
        private static byte[] BadFrames(Random random)
        {
            var frames = new List<byte>();
            for (var i = 0; i < 20; i++)
            {
                switch (random.Next(5))
                {
                    case 0: frames.AddRange(Frame(RandomBytes(random, 10), more: false)); break;
                    case 1: frames.AddRange([.. Frame([1], true), .. Frame([2], true), .. Frame([3], false)]); break;
                    case 2: frames.AddRange([.. Frame([], true), .. Frame([4], false)]); break;
                    case 3: frames.AddRange([.. Frame(RandomBytes(random, 300), true), .. Frame([5], false)]); break;
                    default: frames.AddRange(RandomBytes(random, 16)); break;
                }
            }
            return [.. frames];
        }

        /// <summary>Random datagrams to the beacon's group on loopback, then a real look-up of this hub's key.</summary>
        public bool BeaconGarbageThenLookUp(string key)
        {
            var settings = BeaconSettings.Default.OnInterfaces("lo");
            using (var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                udp.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.Loopback.GetAddressBytes());
                udp.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
                var random = new Random(seed);
                var target = new IPEndPoint(settings.Group, settings.Port);
                for (var i = 0; i < 500; i++)
                {
                    var datagram = i % 3 == 0
                        ? Encoding.UTF8.GetBytes($"{{\"key\": \"{key}\", \"service\": {random.Next()}}}")
                        : RandomBytes(random, random.Next(1, 1400));
                    udp.SendTo(datagram, target);
                }
            }
            return BeaconLookup.TryAsk(key, settings with { Timeout = TimeSpan.FromSeconds(20) }, out _, out _, "garbage-test");
        }
    }
}
