using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Gecko.Core.Configuration;

namespace Gecko.Core.Cluster;

/// <summary>
/// How this host joins a cluster of Gecko hosts (<c>gecko.cluster</c> in <c>reference.conf</c>), read once and
/// validated on creation; <see cref="ToAkkaConfig"/> turns it into the Akka.Remote and Akka.Cluster settings.
/// </summary>
public sealed record ClusterSettings
{
    /// <summary>The actor system name every Gecko host uses: cluster addresses are <c>akka.tcp://gecko@host:port</c>.</summary>
    public const string SystemName = "gecko";

    /// <summary>Whether this host joins a cluster.</summary>
    public required bool Enabled { get; init; }

    /// <summary>The address this host listens on and announces.</summary>
    public required string Hostname { get; init; }

    /// <summary>The TCP port of the cluster endpoint (0: the OS picks).</summary>
    public required int Port { get; init; }

    /// <summary>The address other hosts reach this one at, when it differs from <see cref="Hostname"/> (NAT, a proxy); empty: <see cref="Hostname"/>.</summary>
    public required string PublicHostname { get; init; }

    /// <summary>The port other hosts reach this one at, when it differs from <see cref="Port"/> (a port forward); 0: <see cref="Port"/>.</summary>
    public required int PublicPort { get; init; }

    /// <summary>The seed nodes, as full addresses (<c>akka.tcp://gecko@host:port</c>); empty: this host starts the cluster.</summary>
    public required IReadOnlyList<string> SeedNodes { get; init; }

    /// <summary>This host's roles.</summary>
    public required IReadOnlyList<string> Roles { get; init; }

    /// <summary>How often heartbeats go out.</summary>
    public required TimeSpan HeartbeatInterval { get; init; }

    /// <summary>How long heartbeats may stop before a host is marked unreachable.</summary>
    public required TimeSpan AcceptableHeartbeatPause { get; init; }

    /// <summary>The split-brain resolver's strategy (an Akka <c>active-strategy</c>).</summary>
    public required string SplitBrainStrategy { get; init; }

    /// <summary>How long membership must be stable before the split-brain resolver decides.</summary>
    public required TimeSpan StableAfter { get; init; }

    /// <summary>Whether a host removed from the cluster joins it again by itself, under a new identity.</summary>
    public required bool Rejoin { get; init; }

    /// <summary>How long a removed host waits before it joins again (and between attempts).</summary>
    public required TimeSpan RejoinAfter { get; init; }

    /// <summary>How often each host repeats its interest to the others.</summary>
    public required TimeSpan InterestInterval { get; init; }

    /// <summary>Messages in flight to one host before further ones for it are dropped.</summary>
    public required int SendWindow { get; init; }

    /// <summary>Payload bytes in flight to one host before further messages for it are dropped.</summary>
    public required long SendWindowBytes { get; init; }

    /// <summary>TLS between hosts (<c>gecko.cluster.tls</c>).</summary>
    public required ClusterTlsSettings Tls { get; init; }

    /// <summary>The protocol of this host's cluster addresses: <c>akka.ssl.tcp</c> with TLS, else <c>akka.tcp</c>.</summary>
    public string Protocol => Tls.Enabled ? "akka.ssl.tcp" : "akka.tcp";

    /// <summary>The seeds in this host's <see cref="Protocol"/>, as it joins them and names them.</summary>
    public IReadOnlyList<string> JoinAddresses =>
        SeedNodes.Select(seed => Tls.Enabled ? "akka.ssl.tcp" + seed["akka.tcp".Length..] : seed).ToArray();

    /// <summary>The strategies of Akka's split-brain resolver that need nothing but the cluster itself.</summary>
    public static readonly IReadOnlyList<string> Strategies = ["keep-majority", "static-quorum", "keep-oldest", "down-all"];

    /// <summary>The defaults of <c>reference.conf</c>.</summary>
    public static ClusterSettings Default { get; } = Create(GeckoConfig.Defaults);

    /// <summary>Reads <c>gecko.cluster</c> from <paramref name="config"/>, falling back to the defaults, and validates it.</summary>
    /// <exception cref="GeckoConfigurationException">A value is missing, malformed or out of range.</exception>
    public static ClusterSettings Create(Config config)
    {
        var cluster = GeckoConfig.WithDefaults(config).GetConfig("gecko.cluster");
        try
        {
            return new ClusterSettings
            {
                Enabled = cluster.GetBoolean("enabled"),
                Hostname = cluster.GetString("hostname"),
                Port = cluster.GetInt("port"),
                PublicHostname = cluster.GetString("public-hostname") ?? "",
                PublicPort = cluster.GetInt("public-port"),
                SeedNodes = cluster.GetStringList("seed-nodes").Select(s => SeedAddress(s, "gecko.cluster.seed-nodes")).ToArray(),
                Roles = cluster.GetStringList("roles").Select(r => r.Trim()).ToArray(),
                HeartbeatInterval = cluster.GetTimeSpan("failure-detection.heartbeat-interval"),
                AcceptableHeartbeatPause = cluster.GetTimeSpan("failure-detection.acceptable-heartbeat-pause"),
                SplitBrainStrategy = cluster.GetString("split-brain-resolver.strategy"),
                StableAfter = cluster.GetTimeSpan("split-brain-resolver.stable-after"),
                Rejoin = cluster.GetBoolean("rejoin"),
                RejoinAfter = cluster.GetTimeSpan("rejoin-after"),
                InterestInterval = cluster.GetTimeSpan("interest-interval"),
                SendWindow = cluster.GetInt("send-window"),
                SendWindowBytes = cluster.GetByteSize("send-window-bytes") ?? throw new GeckoConfigurationException("gecko.cluster.send-window-bytes is missing: give a size such as 64 MiB."),
                Tls = ClusterTlsSettings.Read(cluster),
            }.Validated();
        }
        catch (Exception e) when (e is not GeckoException)
        {
            throw new GeckoConfigurationException($"gecko.cluster: {e.Message}", e);
        }
    }

    /// <summary>
    /// A seed as a full cluster address: <c>host:port</c> becomes <c>akka.tcp://gecko@host:port</c>; a full address is
    /// checked and kept (<c>akka.ssl.tcp://</c> is written as <c>akka.tcp://</c>: <see cref="JoinAddresses"/> puts the
    /// protocol of this host's TLS setting back).
    /// </summary>
    /// <param name="seed">What the user wrote.</param>
    /// <param name="source">Where it was written (a key or a flag), for the error message.</param>
    /// <exception cref="GeckoConfigurationException">It is neither.</exception>
    public static string SeedAddress(string seed, string source)
    {
        var text = seed.Trim();
        var hostPort = text;
        var prefix = $"akka.tcp://{SystemName}@";
        if (text.StartsWith($"akka.ssl.tcp://{SystemName}@", StringComparison.Ordinal)) text = prefix + text[$"akka.ssl.tcp://{SystemName}@".Length..];
        if (text.Contains("://", StringComparison.Ordinal))
        {
            if (!text.StartsWith(prefix, StringComparison.Ordinal))
                throw new GeckoConfigurationException($"{source}: '{seed}' is not a Gecko host's address: write host:port, or {prefix}host:port.");
            hostPort = text[prefix.Length..];
        }
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535
            || hostPort[..colon].Any(c => char.IsWhiteSpace(c) || c is '/' or '@' or '"'))
            throw new GeckoConfigurationException($"{source}: '{seed}' is not host:port (e.g. 192.168.1.20:4053, or {prefix}192.168.1.20:4053).");
        return prefix + hostPort;
    }

    /// <summary>Checks every value and returns this instance; use it after changing values with <c>with</c>.</summary>
    /// <exception cref="GeckoConfigurationException">A value is out of range.</exception>
    public ClusterSettings Validated()
    {
        if (string.IsNullOrWhiteSpace(Hostname) || Hostname.Any(c => char.IsWhiteSpace(c) || c is '/' or '@' or ':' or '"'))
            throw new GeckoConfigurationException($"gecko.cluster.hostname = '{Hostname}' is not a host: give an IP address or name other hosts reach this one at, e.g. 192.168.1.20.");
        Require(Port is >= 0 and <= 65535, "port", Port, "between 0 (the OS picks) and 65535");
        if (PublicHostname.Length > 0 && PublicHostname.Any(c => char.IsWhiteSpace(c) || c is '/' or '@' or ':' or '"'))
            throw new GeckoConfigurationException($"gecko.cluster.public-hostname = '{PublicHostname}' is not a host: give the IP address or name other hosts reach this one at, e.g. 203.0.113.7, or \"\" for hostname.");
        Require(PublicPort is >= 0 and <= 65535, "public-port", PublicPort, "between 0 (the same as port) and 65535");
        foreach (var seed in SeedNodes) SeedAddress(seed, "gecko.cluster.seed-nodes");
        foreach (var role in Roles)
        {
            if (role.Length == 0 || role.Any(c => !(char.IsLetterOrDigit(c) || c is '-' or '_' or '.')))
                throw new GeckoConfigurationException($"gecko.cluster.roles: '{role}' is not a role name: use letters, digits, '-', '_' or '.', e.g. pi.");
        }
        Require(HeartbeatInterval >= TimeSpan.FromMilliseconds(50) && HeartbeatInterval <= TimeSpan.FromMinutes(1),
            "failure-detection.heartbeat-interval", HeartbeatInterval, "between 50ms and 1m");
        Require(AcceptableHeartbeatPause >= HeartbeatInterval && AcceptableHeartbeatPause <= TimeSpan.FromMinutes(10),
            "failure-detection.acceptable-heartbeat-pause", AcceptableHeartbeatPause, "between the heartbeat interval and 10m");
        if (!Strategies.Contains(SplitBrainStrategy))
            throw new GeckoConfigurationException($"gecko.cluster.split-brain-resolver.strategy = '{SplitBrainStrategy}' is not one Gecko can use: use {string.Join(", ", Strategies)}.");
        Require(StableAfter >= TimeSpan.FromMilliseconds(100) && StableAfter <= TimeSpan.FromHours(1),
            "split-brain-resolver.stable-after", StableAfter, "between 100ms and 1h");
        Require(RejoinAfter >= TimeSpan.FromMilliseconds(100) && RejoinAfter <= TimeSpan.FromMinutes(10),
            "rejoin-after", RejoinAfter, "between 100ms and 10m");
        Require(InterestInterval >= TimeSpan.FromMilliseconds(50) && InterestInterval <= TimeSpan.FromMinutes(10),
            "interest-interval", InterestInterval, "between 50ms and 10m");
        Require(SendWindow is > 0 and <= 10_000_000, "send-window", SendWindow, "between 1 and 10000000");
        Require(SendWindowBytes is >= 1024 and <= 1L << 34, "send-window-bytes", SendWindowBytes, "between 1 KiB and 16 GiB");
        Tls.Validated();
        return this;
    }

    /// <summary>
    /// The Akka settings that make an actor system a cluster host: Akka.Remote over TCP on <see cref="Hostname"/>:
    /// <see cref="Port"/> with frames large enough for <paramref name="maxPayloadSize"/>, the failure detector, the
    /// split-brain resolver, and the Hyperion serializer bound to Gecko's cross-host messages.
    /// </summary>
    /// <param name="maxPayloadSize">The hub's largest payload (<c>gecko.core.max-payload-size</c>).</param>
    public Config ToAkkaConfig(int maxPayloadSize)
    {
        var c = CultureInfo.InvariantCulture;
        // A frame carries one message plus its envelope; Hyperion adds a few bytes to a topic and a payload.
        var frame = (long)maxPayloadSize + 64 * 1024;
        var text = new StringBuilder();
        text.Append(c, $$"""
            akka {
              actor {
                provider = cluster
                serializers.gecko-hyperion = "{{typeof(GeckoHyperionSerializer).AssemblyQualifiedName}}"
                serialization-bindings { {{Bindings()}} }
                serialization-identifiers { "{{typeof(GeckoHyperionSerializer).FullName}}, {{typeof(GeckoHyperionSerializer).Assembly.GetName().Name}}" = {{GeckoHyperionSerializer.Id}} }
              }
              remote {
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = "{{Hostname}}"
                  port = {{Port}}
                  enable-ssl = {{(Tls.Enabled ? "on" : "off")}}
                  public-hostname = "{{(PublicHostname.Length > 0 ? PublicHostname : Hostname)}}"
                  public-port = {{PublicPort}}
                  maximum-frame-size = {{frame}}b
                  send-buffer-size = {{Math.Max(frame, 256 * 1024)}}b
                  receive-buffer-size = {{Math.Max(frame, 256 * 1024)}}b
                }
              }
              cluster {
                seed-nodes = []
                roles = [{{string.Join(", ", Roles.Select(r => $"\"{r}\""))}}]
                # A host the resolver removes keeps its hub and nodes running for its own machine.
                run-coordinated-shutdown-when-down = off
                log-info-verbose = off
                failure-detector {
                  heartbeat-interval = {{Millis(HeartbeatInterval)}}
                  acceptable-heartbeat-pause = {{Millis(AcceptableHeartbeatPause)}}
                }
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = {{SplitBrainStrategy}}
                  stable-after = {{Millis(StableAfter)}}
                }
                pub-sub.gossip-interval = {{Millis(TimeSpan.FromTicks(Math.Min(InterestInterval.Ticks, TimeSpan.FromSeconds(1).Ticks)))}}
              }
            }
            """);
        return ConfigurationFactory.ParseString(text.ToString());
    }

    /// <summary>
    /// The actor system setup of a cluster host: <see cref="ToAkkaConfig"/> over <paramref name="fallback"/>, and with
    /// TLS on, Akka.Remote's TLS setup (<see cref="ClusterTlsSettings.ToSslSetup"/>), which HOCON cannot express.
    /// </summary>
    /// <param name="fallback">The rest of the actor system's config.</param>
    /// <param name="maxPayloadSize">The hub's largest payload (<c>gecko.core.max-payload-size</c>).</param>
    /// <exception cref="GeckoConfigurationException">The cluster is off, or a TLS file cannot be used.</exception>
    public ActorSystemSetup ToActorSystemSetup(Config fallback, int maxPayloadSize)
    {
        if (!Enabled) throw new GeckoConfigurationException("gecko.cluster is off: there is no cluster host to set up.");
        var bootstrap = BootstrapSetup.Create().WithConfig(ToAkkaConfig(maxPayloadSize).WithFallback(fallback));
        return Tls.Enabled ? bootstrap.And(Tls.ToSslSetup()) : ActorSystemSetup.Create(bootstrap);
    }

    /// <summary>Gecko's cross-host messages and the standard messages go through Hyperion.</summary>
    private static string Bindings() =>
        string.Join("\n", GeckoHyperionSerializer.StandardMessages.Prepend(typeof(IClusterMessage))
            .Select(type => $"\"{type.FullName}, {type.Assembly.GetName().Name}\" = gecko-hyperion"));

    private static string Millis(TimeSpan span) => ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    private static void Require(bool ok, string key, object value, string range)
    {
        if (!ok) throw new GeckoConfigurationException($"gecko.cluster.{key} = {value} is out of range: use a value {range}.");
    }
}
