using System.CommandLine;
using System.Globalization;
using Gecko.Core;
using Gecko.Core.Discovery;
using Gecko.Core.Introspection;
using Gecko.Core.Wire;

namespace Gecko.Launch.Cli;

/// <summary>
/// How a tool finds its hub, as nodes do: <c>--in</c>/<c>--out</c>, else <c>GECKO_CORE_IN</c>/<c>GECKO_CORE_OUT</c>,
/// else the core file of a hub on this machine (of <c>--key</c> when given), else a beacon look-up for the key, else the
/// default endpoints. Then the hub must answer a query within <c>--timeout</c>.
/// </summary>
internal sealed class HubOptions
{
    /// <summary>Exit code when no hub answered.</summary>
    public const int NoHub = 1;

    /// <summary>Exit code for bad arguments.</summary>
    public const int BadArguments = 2;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private readonly Option<string?> _in = new("--in") { Description = "The hub's in endpoint, e.g. tcp://192.168.1.20:9998 (default: found as nodes find it)." };
    private readonly Option<string?> _out = new("--out") { Description = "The hub's out endpoint, e.g. tcp://192.168.1.20:9999." };
    private readonly Option<string?> _key = new("--key", "-k") { Description = "Find the hub answering to this key: its core file, else a beacon look-up (default: GECKO_CORE_KEY)." };
    private readonly Option<string?> _coreDirectory = new("--core-dir") { Description = "Folder of core files (default: the temp directory)." };
    private readonly Option<string?> _timeout = new("--timeout", "-t") { Description = "Seconds to find the hub and get its answer (default 5)." };
    private readonly Option<string[]> _interfaces = new("--interface", "-i")
    {
        Description = "Ask the beacon on this interface only (a name such as wlan0, or an IPv4 address); repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The lines every tool's help ends with.</summary>
    public const string FindingTheHub = """

        Finding the hub (as nodes do): --in/--out, else GECKO_CORE_IN/GECKO_CORE_OUT, else the core file of a hub on
        this machine, else a beacon look-up for --key (or GECKO_CORE_KEY), else tcp://127.0.0.1:9998/9999.
        A hub on another machine: --key robot1, or --in tcp://robot1:9998 --out tcp://robot1:9999.
        """;

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_in);
        command.Options.Add(_out);
        command.Options.Add(_key);
        command.Options.Add(_coreDirectory);
        command.Options.Add(_timeout);
        command.Options.Add(_interfaces);
    }

    /// <summary>What was asked for, checked.</summary>
    /// <exception cref="GeckoConfigurationException">A value is malformed; the message says how to write it.</exception>
    public (HubQuery Query, TimeSpan Timeout) Read(ParseResult parse, string verb)
    {
        var timeout = DefaultTimeout;
        TimeSpan? given = null;
        if (parse.GetValue(_timeout) is { } text)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds is >= 0.1 and <= 300))
                throw new GeckoConfigurationException($"--timeout '{text}' is not a number of seconds from 0.1 to 300: write e.g. --timeout 10.");
            timeout = TimeSpan.FromSeconds(seconds);
            given = timeout;
        }
        var inAddress = parse.GetValue(_in);
        var outAddress = parse.GetValue(_out);
        if (inAddress is not null) Endpoint.Validate(inAddress, "--in");
        if (outAddress is not null) Endpoint.Validate(outAddress, "--out");
        if (parse.GetValue(_key) is { } key && (string.IsNullOrWhiteSpace(key) || key.Length > 255))
            throw new GeckoConfigurationException($"--key '{key}' is empty or longer than 255 characters: give the hub's key, e.g. --key robot1.");
        if (parse.GetValue(_coreDirectory) is { } directory && !Directory.Exists(directory))
            throw new GeckoConfigurationException($"--core-dir '{directory}' does not exist: give the folder the hub writes its core file to.");
        var beacon = BeaconSettings.Default;
        if (parse.GetValue(_interfaces) is { Length: > 0 } interfaces) beacon = beacon.OnInterfaces([.. interfaces]);
        return (new HubQuery
        {
            InAddress = inAddress,
            OutAddress = outAddress,
            Key = parse.GetValue(_key),
            CoreFileDirectory = parse.GetValue(_coreDirectory),
            Beacon = beacon,
            // A given timeout bounds the beacon look-up too; without one, the beacon waits as long as nodes do.
            Timeout = given,
            Name = $"gecko {verb}",
        }, timeout);
    }
}

/// <summary>A tool's hub: found, connected and answering, or the reason it is not, already told to the user.</summary>
internal static class ToolHub
{
    /// <summary>
    /// Finds the hub, connects and handshakes (see <see cref="HubConnection.Handshake"/>). On failure writes what went
    /// wrong and what was tried to <paramref name="error"/> and returns the exit code instead of a connection.
    /// Blocks: call it from the tool's own thread.
    /// </summary>
    public static (HubConnection? Hub, StatsReport? Report, int ExitCode) Connect(string verb, HubQuery query, TimeSpan timeout,
        TextWriter error, CancellationToken token, long maxPayloadSize = 64L * 1024 * 1024, TimeSpan? linger = null)
    {
        HubLocation location;
        HubConnection connection;
        try
        {
            location = HubLocator.Locate(query, token);
            connection = HubConnection.Open(location, maxPayloadSize, linger);
        }
        catch (GeckoConfigurationException e)
        {
            error.WriteLine($"gecko {verb}: {e.Message}");
            return (null, null, HubOptions.BadArguments);
        }
        var report = connection.Handshake(timeout, token);
        if (report is not null) return (connection, report, 0);

        connection.Dispose();
        error.WriteLine($"gecko {verb}: no hub answered at in {location.InAddress}, out {location.OutAddress} " +
                        $"({location.Detail}) within {timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s.");
        foreach (var tried in location.Tried) error.WriteLine($"  {tried}");
        error.WriteLine("Is a hub running there (gecko core, gecko launch)? A hub on another machine must listen on the network " +
                        "(--in tcp://0.0.0.0:9998 --out tcp://0.0.0.0:9999); give its key (--key) or its endpoints (--in/--out), " +
                        "or wait longer (--timeout 15). pygecko's own core has no stats topic and cannot answer.");
        return (null, null, HubOptions.NoHub);
    }
}
