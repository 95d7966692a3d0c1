using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Gecko.Core.Discovery.Internal;

namespace Gecko.Core.Discovery;

/// <summary>A hub's answer to a beacon look-up.</summary>
/// <param name="InAddress">Where publishers connect.</param>
/// <param name="OutAddress">Where subscribers connect.</param>
/// <param name="From">Who answered.</param>
/// <param name="Key">The key the hub answers to, when it said.</param>
/// <param name="Pid">The hub's process id, when it said.</param>
/// <param name="Elapsed">How long the answer took.</param>
public sealed record BeaconAnswer(string InAddress, string OutAddress, IPEndPoint From, string? Key, int? Pid, TimeSpan Elapsed);

/// <summary>What a look-up that found nothing tried.</summary>
/// <param name="Key">The key asked for.</param>
/// <param name="Timeout">How long it waited.</param>
/// <param name="AskedOn">The interfaces the request went out on.</param>
/// <param name="Problems">Interfaces the request could not be sent on, and why.</param>
public sealed record BeaconSilence(string Key, TimeSpan Timeout, IReadOnlyList<string> AskedOn, IReadOnlyList<string> Problems)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var text = $"no hub answered a beacon look-up for key '{Key}' within {Timeout.TotalSeconds:0.###} s (asked on {(AskedOn.Count == 0 ? "no interface" : string.Join(", ", AskedOn))})";
        return Problems.Count == 0 ? text : $"{text}; {string.Join("; ", Problems)}";
    }
}

/// <summary>
/// The node's side of the beacon: multicasts a look-up for a key on each interface, repeating it while it waits,
/// and returns the first valid answer. Answers that are garbage or for another key are ignored.
/// </summary>
public static class BeaconLookup
{
    /// <summary>Asks for the hub answering to <paramref name="key"/>; blocks until an answer, the timeout, or cancellation.</summary>
    /// <param name="key">The hub's key.</param>
    /// <param name="settings">Group, port, interfaces, timeout, resend interval and TTL.</param>
    /// <param name="answer">The first answer.</param>
    /// <param name="silence">When nothing answered: what was tried.</param>
    /// <param name="name">The asker's name, sent along for the hub's log.</param>
    /// <param name="token">Stops waiting early.</param>
    /// <returns>True when a hub answered.</returns>
    /// <exception cref="ArgumentException">The key is empty or too long.</exception>
    /// <exception cref="GeckoConfigurationException">A configured interface does not exist here.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="token"/> fired.</exception>
    public static bool TryAsk(string key, BeaconSettings settings, [NotNullWhen(true)] out BeaconAnswer? answer, [NotNullWhen(false)] out BeaconSilence? silence, string? name = null, CancellationToken token = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(settings);
        key = key.Trim();
        if (key.Length > BeaconMessages.MaxKeyLength)
            throw new ArgumentException($"A key has at most {BeaconMessages.MaxKeyLength} characters; '{key[..20]}...' has {key.Length}.", nameof(key));
        answer = null;
        silence = null;

        var interfaces = MulticastInterfaces.ForLookup(settings);
        var request = BeaconMessages.EncodeRequest(key, Environment.ProcessId, name ?? DefaultName());
        var group = new IPEndPoint(settings.Group, settings.Port);
        var problems = new Dictionary<string, string>();
        var clock = Stopwatch.StartNew();

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, settings.TimeToLive);
        // Hubs on this machine hear the look-up only if it is looped back to local listeners.
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
        socket.Bind(new IPEndPoint(IPAddress.Any, 0));

        var buffer = new byte[BeaconMessages.MaxDatagramSize + 1];
        var nextSend = TimeSpan.Zero;
        while (clock.Elapsed < settings.Timeout)
        {
            token.ThrowIfCancellationRequested();
            if (clock.Elapsed >= nextSend)
            {
                SendOnEach(socket, interfaces, request, group, problems);
                nextSend = clock.Elapsed + settings.ResendInterval;
            }
            var wait = Min(nextSend, settings.Timeout) - clock.Elapsed;
            // Short slices so cancellation is noticed promptly.
            wait = Min(wait, TimeSpan.FromMilliseconds(100));
            if (wait > TimeSpan.Zero && !socket.Poll(wait, SelectMode.SelectRead)) continue;
            while (socket.Available > 0)
            {
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int length;
                try
                {
                    length = socket.ReceiveFrom(buffer, SocketFlags.None, ref from);
                }
                catch (SocketException)
                {
                    // An ICMP error for one of our sends, or an oversized datagram: not an answer.
                    break;
                }
                var sender = (IPEndPoint)from;
                if (!BeaconMessages.TryParseReply(buffer.AsMemory(0, length), out var reply, out _)) continue;
                if (reply!.Key is not null && !string.Equals(reply.Key, key, StringComparison.OrdinalIgnoreCase)) continue;
                answer = new BeaconAnswer(
                    MulticastInterfaces.Reachable(reply.InAddress, sender.Address),
                    MulticastInterfaces.Reachable(reply.OutAddress, sender.Address),
                    sender, reply.Key, reply.Pid, clock.Elapsed);
                return true;
            }
        }
        silence = new BeaconSilence(
            key, settings.Timeout,
            interfaces.Where(i => !problems.ContainsKey(i.ToString())).Select(i => i.ToString()).ToArray(),
            problems.Select(p => $"could not ask on {p.Key}: {p.Value}").ToArray());
        return false;
    }

    /// <summary>Asks for the hub answering to <paramref name="key"/>; null when nothing answered within the timeout.</summary>
    /// <param name="key">The hub's key.</param>
    /// <param name="settings">Group, port, interfaces, timeout, resend interval and TTL.</param>
    /// <param name="name">The asker's name, sent along for the hub's log.</param>
    /// <param name="token">Stops waiting early.</param>
    /// <exception cref="GeckoConfigurationException">A configured interface does not exist here.</exception>
    public static BeaconAnswer? Ask(string key, BeaconSettings settings, string? name = null, CancellationToken token = default) =>
        TryAsk(key, settings, out var answer, out _, name, token) ? answer : null;

    private static void SendOnEach(Socket socket, IReadOnlyList<MulticastInterface> interfaces, byte[] request, IPEndPoint group, Dictionary<string, string> problems)
    {
        foreach (var candidate in interfaces)
        {
            try
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, candidate.Address.GetAddressBytes());
                socket.SendTo(request, group);
                problems.Remove(candidate.ToString());
            }
            catch (SocketException e)
            {
                // One interface without a route for multicast must not stop the others from asking.
                problems[candidate.ToString()] = e.Message;
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string DefaultName()
    {
        var path = Environment.ProcessPath;
        return path is null ? "gecko" : Path.GetFileNameWithoutExtension(path);
    }
}
