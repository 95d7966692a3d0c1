using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using Gecko.Core.Configuration;

namespace Gecko.Core.Discovery;

/// <summary>
/// The multicast beacon's settings (<c>gecko.core.beacon</c> in <c>reference.conf</c>): used by a hub to answer
/// look-ups and by nodes and tools to make them. Read once and validated on creation.
/// </summary>
public sealed record BeaconSettings
{
    /// <summary>Whether a hub answers beacon look-ups.</summary>
    public required bool Enabled { get; init; }

    /// <summary>The IPv4 multicast group look-ups are sent to.</summary>
    public required IPAddress Group { get; init; }

    /// <summary>The UDP port look-ups are sent to.</summary>
    public required int Port { get; init; }

    /// <summary>
    /// Interface names (<c>eth0</c>, <c>lo</c>) or IPv4 addresses to answer and ask on; empty means automatic
    /// (see <c>reference.conf</c>).
    /// </summary>
    public required IReadOnlyList<string> Interfaces { get; init; }

    /// <summary>How long a look-up waits for an answer.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>How often a look-up repeats its request while it waits.</summary>
    public required TimeSpan ResendInterval { get; init; }

    /// <summary>The IP time-to-live of look-ups: how many routers they may cross.</summary>
    public required int TimeToLive { get; init; }

    /// <summary>The defaults of <c>reference.conf</c>.</summary>
    public static BeaconSettings Default { get; } = Create(GeckoConfig.Defaults);

    /// <summary>Reads <c>gecko.core.beacon</c> from <paramref name="config"/>, falling back to the defaults, and validates it.</summary>
    /// <exception cref="GeckoConfigurationException">A value is missing, malformed or out of range.</exception>
    public static BeaconSettings Create(Config config)
    {
        var beacon = GeckoConfig.WithDefaults(config).GetConfig("gecko.core.beacon");
        try
        {
            var group = beacon.GetString("group");
            if (!IPAddress.TryParse(group, out var address))
                throw new GeckoConfigurationException($"gecko.core.beacon.group = '{group}' is not an IP address: use an IPv4 multicast group such as 224.3.29.110.");
            return new BeaconSettings
            {
                Enabled = beacon.GetBoolean("enabled"),
                Group = address,
                Port = beacon.GetInt("port"),
                Interfaces = beacon.GetStringList("interfaces").Select(i => i.Trim()).Where(i => i.Length > 0).ToArray(),
                Timeout = beacon.GetTimeSpan("timeout"),
                ResendInterval = beacon.GetTimeSpan("resend-interval"),
                TimeToLive = beacon.GetInt("ttl"),
            }.Validated();
        }
        catch (Exception e) when (e is not GeckoException)
        {
            throw new GeckoConfigurationException($"gecko.core.beacon: {e.Message}", e);
        }
    }

    /// <summary>These settings asking and answering on <paramref name="interfaces"/> only (names or IPv4 addresses).</summary>
    /// <exception cref="GeckoConfigurationException">An interface does not exist on this machine; the message lists those that do.</exception>
    public BeaconSettings OnInterfaces(params string[] interfaces)
    {
        var settings = (this with { Interfaces = interfaces }).Validated();
        Internal.MulticastInterfaces.ForLookup(settings);
        return settings;
    }

    /// <summary>Checks every value and returns this instance; use it after changing values with <c>with</c>.</summary>
    /// <exception cref="GeckoConfigurationException">A value is out of range.</exception>
    public BeaconSettings Validated()
    {
        var bytes = Group.GetAddressBytes();
        if (Group.AddressFamily != AddressFamily.InterNetwork || bytes[0] is < 224 or > 239)
            throw new GeckoConfigurationException($"gecko.core.beacon.group = {Group} is not an IPv4 multicast group: use one from 224.0.0.0 to 239.255.255.255, e.g. 224.3.29.110.");
        Require(Port is > 0 and <= 65535, "port", Port, "between 1 and 65535");
        Require(Timeout >= TimeSpan.FromMilliseconds(10) && Timeout <= TimeSpan.FromMinutes(5), "timeout", Timeout, "between 10ms and 5m");
        Require(ResendInterval >= TimeSpan.FromMilliseconds(10) && ResendInterval <= TimeSpan.FromMinutes(1), "resend-interval", ResendInterval, "between 10ms and 1m");
        Require(TimeToLive is > 0 and <= 255, "ttl", TimeToLive, "between 1 and 255");
        foreach (var name in Interfaces)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new GeckoConfigurationException("gecko.core.beacon.interfaces has an empty entry: give interface names such as \"eth0\" or IPv4 addresses.");
        }
        return this;
    }

    private static void Require(bool ok, string key, object value, string range)
    {
        if (!ok) throw new GeckoConfigurationException($"gecko.core.beacon.{key} = {value} is out of range: use a value {range}.");
    }
}
