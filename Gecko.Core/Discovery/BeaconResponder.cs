using System.Net;
using System.Net.Sockets;
using Akka.Event;
using Gecko.Core.Discovery.Internal;

namespace Gecko.Core.Discovery;

/// <summary>
/// The hub's side of the beacon: answers multicast look-ups that carry its key with its in and out addresses
/// (DESIGN.md "Beacon"). Several responders with different keys share the port on one machine (SO_REUSEADDR); each
/// answers only its own key. Anything else that arrives is counted and ignored. Dispose it to stop answering.
/// </summary>
public sealed class BeaconResponder : IDisposable, IAsyncDisposable
{
    private const int LinuxIpMulticastAll = 49;

    private readonly Socket _listener;
    private readonly Socket _replies;
    private readonly string _key;
    private readonly string _inAddress;
    private readonly string _outAddress;
    private readonly bool _loopbackOnly;
    private readonly ILoggingAdapter _log;
    private readonly Thread _thread;
    private long _answered;
    private long _ignored;
    private long _otherKeys;
    private DateTime _lastIgnoredLog = DateTime.MinValue;
    private int _disposed;

    private BeaconResponder(Socket listener, string key, string inAddress, string outAddress, IReadOnlyList<MulticastInterface> interfaces, ILoggingAdapter log)
    {
        _listener = listener;
        _replies = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _key = key;
        _inAddress = inAddress;
        _outAddress = outAddress;
        _loopbackOnly = !Wire.Endpoint.IsNetworkFacing(inAddress) && !Wire.Endpoint.IsNetworkFacing(outAddress);
        _log = log;
        Interfaces = interfaces.Select(i => i.ToString()).ToArray();
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        // A thread of its own: a hub whose thread pool is saturated by traffic still answers at once.
        _thread = new Thread(Run) { IsBackground = true, Name = "gecko-beacon" };
        _thread.Start();
    }

    /// <summary>The interfaces look-ups are answered on, e.g. <c>lo (127.0.0.1)</c>.</summary>
    public IReadOnlyList<string> Interfaces { get; }

    /// <summary>The UDP port listened on.</summary>
    public int Port { get; }

    /// <summary>Look-ups for this hub's key answered so far.</summary>
    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>Datagrams that were not a look-up (garbage, oversized, another service) and were ignored.</summary>
    public long Ignored => Interlocked.Read(ref _ignored);

    /// <summary>Look-ups for other keys (other hubs), left to them.</summary>
    public long OtherKeys => Interlocked.Read(ref _otherKeys);

    /// <summary>
    /// Starts answering look-ups for <paramref name="key"/> with <paramref name="inAddress"/> and <paramref name="outAddress"/>;
    /// returns once the socket is bound and has joined the group, so a look-up made afterwards is answered.
    /// </summary>
    /// <param name="settings">Group, port and interfaces.</param>
    /// <param name="key">The key answered (compared without regard to case, as host names are).</param>
    /// <param name="inAddress">The hub's bound in endpoint; a wildcard host is replaced by the address the asker reaches.</param>
    /// <param name="outAddress">The hub's bound out endpoint.</param>
    /// <param name="log">Where warnings and look-ups are logged.</param>
    /// <exception cref="GeckoException">The port cannot be bound or no interface could join the group.</exception>
    public static BeaconResponder Start(BeaconSettings settings, string key, string inAddress, string outAddress, ILoggingAdapter? log = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(inAddress);
        ArgumentException.ThrowIfNullOrWhiteSpace(outAddress);
        log ??= NoLogger.Instance;
        var interfaces = MulticastInterfaces.ForHub(settings, inAddress, outAddress);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Shared with every other hub on this machine: each receives every look-up and answers its own key.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            // Linux otherwise hands this socket datagrams for the group arriving on interfaces *other* sockets joined.
            if (OperatingSystem.IsLinux()) socket.SetRawSocketOption((int)SocketOptionLevel.IP, LinuxIpMulticastAll, BitConverter.GetBytes(0));
            Bind(socket, settings);
            var joined = new List<MulticastInterface>();
            var failures = new List<string>();
            foreach (var candidate in interfaces)
            {
                try
                {
                    socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(settings.Group, candidate.Address));
                    joined.Add(candidate);
                }
                catch (SocketException e)
                {
                    failures.Add($"{candidate}: {e.Message}");
                }
            }
            if (joined.Count == 0)
                throw new GeckoException($"The beacon could not join {settings.Group} on any interface ({string.Join("; ", failures)}): set gecko.core.beacon.interfaces to an interface that supports multicast, or turn the beacon off.");
            foreach (var failure in failures) log.Warning("Beacon: not answering on {0}", failure);
            log.Info("Beacon: answering look-ups for key '{0}' on {1}:{2} via {3}", key, settings.Group, settings.Port, string.Join(", ", joined));
            return new BeaconResponder(socket, key, inAddress, outAddress, joined, log);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new GeckoException(
                e.SocketErrorCode == SocketError.AddressAlreadyInUse
                    ? $"The beacon cannot listen on UDP port {settings.Port}: a program that does not share it holds it. Stop it, or set gecko.core.beacon.port (every node must use the same)."
                    : $"The beacon cannot listen on UDP port {settings.Port}: {e.Message}.", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Like <see cref="Start"/>, but a beacon that cannot start is logged as a warning and null returned: the
    /// hub runs on without it (the core file and explicit addresses still find it).</summary>
    public static BeaconResponder? TryStart(BeaconSettings settings, string key, string inAddress, string outAddress, ILoggingAdapter? log = null)
    {
        try
        {
            return Start(settings, key, inAddress, outAddress, log);
        }
        catch (GeckoException e)
        {
            (log ?? NoLogger.Instance).Warning("{0} The hub runs on without answering look-ups.", e.Message);
            return null;
        }
    }

    /// <summary>Stops answering: the receive thread ends and both sockets are closed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        // Closing the socket wakes the thread from its blocking receive.
        _listener.Dispose();
        if (!_thread.Join(TimeSpan.FromSeconds(5))) _log.Warning("Beacon: the receive thread did not stop within 5 s");
        _replies.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Bind(Socket socket, BeaconSettings settings)
    {
        try
        {
            // Bound to the group itself, the socket sees only datagrams sent to it, not other traffic to the port.
            socket.Bind(new IPEndPoint(settings.Group, settings.Port));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.InvalidArgument)
        {
            // Windows cannot bind a multicast address.
            socket.Bind(new IPEndPoint(IPAddress.Any, settings.Port));
        }
    }

    private void Run()
    {
        // One byte more than a look-up may have, so an oversized datagram is seen as such rather than cut to size.
        var buffer = new byte[BeaconMessages.MaxDatagramSize + 1];
        while (Volatile.Read(ref _disposed) == 0)
        {
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int length;
            try
            {
                length = _listener.ReceiveFrom(buffer, SocketFlags.None, ref from);
            }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e)
            {
                if (Volatile.Read(ref _disposed) != 0) return;
                // A datagram that could not be read (oversized on some systems, an ICMP error elsewhere): skip it.
                NoteIgnored(from, $"unreadable datagram ({e.SocketErrorCode})");
                continue;
            }

            try
            {
                Handle(buffer.AsMemory(0, length), (IPEndPoint)from);
            }
            catch (ObjectDisposedException) { return; }
            catch (Exception e)
            {
                // Whatever one datagram does, the hub keeps answering the next.
                NoteIgnored(from, e.Message);
            }
        }
    }

    private void Handle(ReadOnlyMemory<byte> datagram, IPEndPoint asker)
    {
        if (!BeaconMessages.TryParseRequest(datagram, out var request, out var reason))
        {
            NoteIgnored(asker, reason!);
            return;
        }
        if (!string.Equals(request!.Key, _key, StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref _otherKeys);
            return;
        }
        if (_loopbackOnly && !MulticastInterfaces.IsLocal(asker.Address))
        {
            // Our addresses are loopback addresses: they would send the asker to a hub on its own machine.
            NoteIgnored(asker, "a look-up from another machine, and this hub listens on loopback only");
            return;
        }
        var local = MulticastInterfaces.LocalAddressFacing(asker.Address);
        var reply = BeaconMessages.EncodeReply(
            MulticastInterfaces.Reachable(_inAddress, local), MulticastInterfaces.Reachable(_outAddress, local), _key, Environment.ProcessId);
        _replies.SendTo(reply, asker);
        Interlocked.Increment(ref _answered);
        if (_log.IsDebugEnabled) _log.Debug("Beacon: answered {0} (pid {1}) at {2}", request.Name ?? "?", request.Pid?.ToString() ?? "?", asker);
    }

    private void NoteIgnored(EndPoint from, string reason)
    {
        var count = Interlocked.Increment(ref _ignored);
        // Garbage can arrive in floods; one line every few seconds says enough.
        if (DateTime.UtcNow - _lastIgnoredLog < TimeSpan.FromSeconds(5)) return;
        _lastIgnoredLog = DateTime.UtcNow;
        _log.Warning("Beacon: ignored a datagram from {0}: {1} ({2} ignored so far)", from, reason, count);
    }
}
