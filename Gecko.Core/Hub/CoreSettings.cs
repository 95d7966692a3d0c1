using Akka.Configuration;
using Gecko.Core.Bridge.Security;
using Gecko.Core.Configuration;
using Gecko.Core.Discovery;
using Gecko.Core.Monitoring;
using Gecko.Core.Wire;

namespace Gecko.Core.Hub;

/// <summary>
/// The hub's settings (<c>gecko.core</c> in <c>reference.conf</c>), read once and validated on creation.
/// </summary>
public sealed record CoreSettings
{
    /// <summary>Endpoint of the XSUB socket publishers connect to.</summary>
    public required string InAddress { get; init; }

    /// <summary>Endpoint of the XPUB socket subscribers connect to.</summary>
    public required string OutAddress { get; init; }

    /// <summary>The key this hub answers beacon look-ups for.</summary>
    public required string Key { get; init; }

    /// <summary>How often counters become rates and a report is made.</summary>
    public required TimeSpan StatsInterval { get; init; }

    /// <summary>The largest payload frame forwarded, in bytes.</summary>
    public required int MaxPayloadSize { get; init; }

    /// <summary>Bytes over <see cref="MaxPayloadSize"/> after which ZeroMQ drops the connection instead.</summary>
    public required int FrameSizeMargin { get; init; }

    /// <summary>The most distinct topics counted.</summary>
    public required int MaxTopics { get; init; }

    /// <summary>ZMQ_RCVHWM of the in socket.</summary>
    public required int ReceiveHighWaterMark { get; init; }

    /// <summary>ZMQ_SNDHWM of the out socket.</summary>
    public required int SendHighWaterMark { get; init; }

    /// <summary>Messages forwarded per turn of the poller loop.</summary>
    public required int ForwardBatchSize { get; init; }

    /// <summary>The most connections relayed at once on each <c>ipc://</c> endpoint.</summary>
    public required int IpcMaxConnections { get; init; }

    /// <summary>How long a node on another machine stays listed after its last registration.</summary>
    public required TimeSpan RemoteNodeTimeout { get; init; }

    /// <summary>Whether the hub writes a core file for local discovery.</summary>
    public required bool WriteCoreFile { get; init; }

    /// <summary>The folder of core files.</summary>
    public required string CoreFileDirectory { get; init; }

    /// <summary>Whether NetMQ gets the Stopwatch-based tick counter.</summary>
    public required bool FastClock { get; init; }

    /// <summary>Bytes of received frames NetMQ keeps for reuse (0: none).</summary>
    public required long FramePoolSize { get; init; }

    /// <summary>The process monitor's settings (<c>gecko.core.monitor</c>).</summary>
    public required MonitorSettings Monitor { get; init; }
    /// <summary>The multicast beacon (<c>gecko.core.beacon</c>).</summary>
    public required BeaconSettings Beacon { get; init; }

    /// <summary>CURVE encryption and client authentication (<c>gecko.core.curve</c>).</summary>
    public CurveSettings Curve { get; init; } = CurveSettings.Default;

    /// <summary>The defaults of <c>reference.conf</c>.</summary>
    public static CoreSettings Default { get; } = Create(GeckoConfig.Defaults);

    /// <summary>Reads <c>gecko.core</c> from <paramref name="config"/>, falling back to the defaults, and validates it.</summary>
    /// <exception cref="GeckoConfigurationException">A value is missing, malformed or out of range.</exception>
    public static CoreSettings Create(Config config)
    {
        var core = GeckoConfig.WithDefaults(config).GetConfig("gecko.core");
        try
        {
            var settings = new CoreSettings
            {
                InAddress = core.GetString("in-address"),
                OutAddress = core.GetString("out-address"),
                Key = HubKey.OrDefault(core.GetString("key")),
                StatsInterval = core.GetTimeSpan("stats-interval"),
                MaxPayloadSize = ToInt(core.GetByteSize("max-payload-size"), "max-payload-size"),
                FrameSizeMargin = ToInt(core.GetByteSize("frame-size-margin"), "frame-size-margin"),
                MaxTopics = core.GetInt("max-topics"),
                ReceiveHighWaterMark = core.GetInt("receive-high-water-mark"),
                SendHighWaterMark = core.GetInt("send-high-water-mark"),
                ForwardBatchSize = core.GetInt("forward-batch-size"),
                IpcMaxConnections = core.GetInt("ipc-max-connections"),
                RemoteNodeTimeout = core.GetTimeSpan("remote-node-timeout"),
                WriteCoreFile = core.GetBoolean("write-core-file"),
                CoreFileDirectory = core.GetString("core-file-directory") is { Length: > 0 } dir ? dir : Path.GetTempPath(),
                FastClock = core.GetBoolean("fast-clock"),
                FramePoolSize = core.GetByteSize("frame-pool-size") ?? throw new GeckoConfigurationException("gecko.core.frame-pool-size is missing: give a size such as 32 MiB, or 0."),
                Monitor = MonitorSettings.Create(config),
                Beacon = BeaconSettings.Create(config),
                Curve = CurveSettings.Create(config),
            };
            return settings.Validated();
        }
        catch (Exception e) when (e is not GeckoException)
        {
            throw new GeckoConfigurationException($"gecko.core: {e.Message}", e);
        }
    }

    /// <summary>Checks every value and returns this instance; use it after changing values with <c>with</c>.</summary>
    /// <exception cref="GeckoConfigurationException">A value is out of range.</exception>
    public CoreSettings Validated()
    {
        Endpoint.Validate(InAddress, "gecko.core.in-address");
        Endpoint.Validate(OutAddress, "gecko.core.out-address");
        if (InAddress == OutAddress && !EndsWithAnyPort(InAddress))
            throw new GeckoConfigurationException($"gecko.core.in-address and out-address are both '{InAddress}': give them different ports or paths.");
        Require(StatsInterval >= TimeSpan.FromMilliseconds(100) && StatsInterval <= TimeSpan.FromHours(1), "stats-interval", StatsInterval, "between 100ms and 1h");
        Require(MaxPayloadSize is > 0 and <= 1 << 30, "max-payload-size", MaxPayloadSize, "between 1 B and 1 GiB");
        Require(FrameSizeMargin is >= 0 and <= 1 << 30, "frame-size-margin", FrameSizeMargin, "between 0 B and 1 GiB");
        Require(MaxTopics is > 0 and <= 10_000_000, "max-topics", MaxTopics, "between 1 and 10000000");
        Require(ReceiveHighWaterMark >= 0, "receive-high-water-mark", ReceiveHighWaterMark, "0 (no limit) or more");
        Require(SendHighWaterMark >= 0, "send-high-water-mark", SendHighWaterMark, "0 (no limit) or more");
        Require(ForwardBatchSize is > 0 and <= 1_000_000, "forward-batch-size", ForwardBatchSize, "between 1 and 1000000");
        Require(FramePoolSize is >= 0 and <= 1L << 32, "frame-pool-size", FramePoolSize, "between 0 B (off) and 4 GiB");
        Require(IpcMaxConnections is > 0 and <= 100_000, "ipc-max-connections", IpcMaxConnections, "between 1 and 100000");
        Require(RemoteNodeTimeout >= TimeSpan.FromSeconds(1) && RemoteNodeTimeout <= TimeSpan.FromHours(1), "remote-node-timeout", RemoteNodeTimeout, "between 1s and 1h");
        if (string.IsNullOrWhiteSpace(CoreFileDirectory))
            throw new GeckoConfigurationException("gecko.core.core-file-directory is blank: leave it \"\" for the temp directory or name a folder.");
        Monitor.Validated();
        Curve.Validated();
        if (Curve.Enabled && (Endpoint.IsIpc(InAddress) || Endpoint.IsIpc(OutAddress)))
            throw new GeckoConfigurationException("gecko.core.curve works on tcp:// endpoints: an ipc:// endpoint is a local Unix socket (protected by its file's permissions); give tcp:// endpoints, or turn curve off.");
        return this;
    }

    /// <summary>The frame size above which ZeroMQ disconnects a peer (ZMQ_MAXMSGSIZE of the in socket).</summary>
    public long SocketMaxFrameSize => (long)MaxPayloadSize + FrameSizeMargin;

    private static bool EndsWithAnyPort(string endpoint) => endpoint.EndsWith(":0", StringComparison.Ordinal) || endpoint.EndsWith(":*", StringComparison.Ordinal);

    private static void Require(bool ok, string key, object value, string range)
    {
        if (!ok) throw new GeckoConfigurationException($"gecko.core.{key} = {value} is out of range: use a value {range}.");
    }

    private static int ToInt(long? bytes, string key) => bytes switch
    {
        null => throw new GeckoConfigurationException($"gecko.core.{key} is missing: give a size such as 8 MiB."),
        > int.MaxValue => throw new GeckoConfigurationException($"gecko.core.{key} = {bytes} B is too large: use at most 1 GiB."),
        _ => (int)bytes.Value,
    };
}
