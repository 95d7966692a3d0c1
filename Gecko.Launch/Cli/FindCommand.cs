using System.CommandLine;
using System.Globalization;
using Gecko.Core;
using Gecko.Core.Discovery;
using Gecko.Core.Hub;

namespace Gecko.Launch.Cli;

/// <summary><c>gecko find [KEY]</c>: finds the hub as a node would, and says where it is and how it was found.</summary>
public static class FindCommand
{
    /// <summary>Exit code when no hub was found.</summary>
    public const int NotFound = 1;

    /// <summary>Exit code for bad arguments.</summary>
    public const int BadArguments = 2;

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var key = new Argument<string?>("key")
        {
            Description = "The hub's key (its --key; by default a hub's key is its host name). Default: GECKO_CORE_KEY, else this host's name.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var timeout = new Option<string?>("--timeout", "-t") { Description = "Seconds to wait for a beacon answer (default 2)." };
        var interfaces = new Option<string[]>("--interface", "-i")
        {
            Description = "Ask on this interface only (a name such as eth0, or an IPv4 address); repeat for several. Default: loopback and every multicast interface.",
            AllowMultipleArgumentsPerToken = false,
        };
        var coreDirectory = new Option<string?>("--core-dir") { Description = "Folder of core files (default: the temp directory, where hubs write them)." };
        var env = new Option<bool>("--env") { Description = "Print only 'export GECKO_CORE_IN=... GECKO_CORE_OUT=...' lines, for eval in a shell." };
        var command = new Command("find", """
            Find a running hub as a node would: GECKO_CORE_IN/GECKO_CORE_OUT, then the core file of a hub on this
            machine, then a multicast beacon look-up for the key. Prints the hub's addresses, how they were found and
            its pid; exits with 1 when nothing answered within the timeout.

            Examples:
              gecko find                         # the hub on this machine, or the one answering to this host's name
              gecko find robot1                  # the hub started with: gecko core --key robot1 (here or on the LAN)
              gecko find robot1 --timeout 5 --interface wlan0
              eval "$(gecko find robot1 --env)"  # point the nodes started from this shell at it
            """)
        {
            key, timeout, interfaces, coreDirectory, env,
        };
        command.SetAction((parse, token) => RunAsync(
            new Options(parse.GetValue(key), parse.GetValue(timeout), parse.GetValue(interfaces) ?? [], parse.GetValue(coreDirectory), parse.GetValue(env)),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, token));
        return command;
    }

    /// <summary>What <c>gecko find</c> was asked for.</summary>
    /// <param name="Key">The hub's key; null for GECKO_CORE_KEY or the host name.</param>
    /// <param name="TimeoutSeconds">Seconds to wait for a beacon answer; null for the configured timeout.</param>
    /// <param name="Interfaces">Interfaces to ask on; empty for automatic.</param>
    /// <param name="CoreDirectory">Folder of core files; null for the default.</param>
    /// <param name="Env">Print shell exports only.</param>
    public sealed record Options(string? Key, string? TimeoutSeconds, IReadOnlyList<string> Interfaces, string? CoreDirectory, bool Env);

    /// <summary>Finds the hub and prints it; returns 0 when found, <see cref="NotFound"/> or <see cref="BadArguments"/>.</summary>
    public static async Task<int> RunAsync(Options options, TextWriter output, TextWriter error, CancellationToken token)
    {
        HubQuery query;
        try
        {
            query = Query(options);
        }
        catch (GeckoException e)
        {
            await error.WriteLineAsync($"gecko find: {e.Message}");
            return BadArguments;
        }

        HubSearch search;
        try
        {
            search = await HubLocator.SearchAsync(query, token);
            // A node without a key does not ask the beacon; asked to find, we do, with the key hubs answer by default.
            if (!search.Found && query.Key is null && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(HubLocator.KeyVariable)))
            {
                var byHostName = await HubLocator.SearchAsync(query with { Key = HubKey.Default }, token);
                search = byHostName.Found
                    ? byHostName
                    : new HubSearch(null, [.. search.Tried.Where(t => !t.StartsWith("beacon:", StringComparison.Ordinal)), .. byHostName.Tried.Where(t => t.StartsWith("beacon:", StringComparison.Ordinal))]);
            }
        }
        catch (GeckoConfigurationException e)
        {
            await error.WriteLineAsync($"gecko find: {e.Message}");
            return BadArguments;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("gecko find: interrupted.");
            return 130;
        }

        if (search.Location is not { } hub)
        {
            await error.WriteLineAsync("gecko find: no hub found.");
            foreach (var tried in search.Tried) await error.WriteLineAsync($"  {tried}");
            await error.WriteLineAsync("Is a hub running (gecko core)? For a hub on another machine: does it listen on the network (--in tcp://0.0.0.0:9998 --out tcp://0.0.0.0:9999), answer to this key (--key), and is multicast allowed between you?");
            return NotFound;
        }

        if (options.Env)
        {
            await output.WriteLineAsync($"export {HubLocator.InVariable}={hub.InAddress}");
            await output.WriteLineAsync($"export {HubLocator.OutVariable}={hub.OutAddress}");
            return 0;
        }
        await output.WriteLineAsync($"GeckoCore found via {Describe(hub.Source)}: {hub.Detail}");
        await output.WriteLineAsync($"  in   {hub.InAddress}");
        await output.WriteLineAsync($"  out  {hub.OutAddress}");
        if (hub.Key is not null) await output.WriteLineAsync($"  key  {hub.Key}");
        await output.WriteLineAsync($"  pid  {(hub.Pid is { } pid ? pid.ToString(CultureInfo.InvariantCulture) : "unknown")}");
        return 0;
    }

    private static HubQuery Query(Options options)
    {
        var beacon = BeaconSettings.Default;
        if (options.Interfaces.Count > 0) beacon = beacon.OnInterfaces([.. options.Interfaces]);
        TimeSpan? timeout = null;
        if (options.TimeoutSeconds is { } text)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds is >= 0.01 and <= 300))
                throw new GeckoConfigurationException($"--timeout '{text}' is not a number of seconds between 0.01 and 300: write e.g. --timeout 5 or --timeout 0.5.");
            timeout = TimeSpan.FromSeconds(seconds);
        }
        if (options.Key is { } option && option.StartsWith('-'))
            throw new GeckoConfigurationException($"unknown option '{option}': see gecko find --help for --timeout, --interface, --core-dir and --env.");
        if (options.Key is { } key && (string.IsNullOrWhiteSpace(key) || key.Length > 255))
            throw new GeckoConfigurationException($"the key '{key}' is empty or longer than 255 characters: give the hub's key, e.g. gecko find robot1.");
        if (options.CoreDirectory is { } directory && !Directory.Exists(directory))
            throw new GeckoConfigurationException($"--core-dir '{directory}' does not exist: give the folder the hub writes its core file to (its gecko.core.core-file-directory).");
        return new HubQuery
        {
            Key = options.Key,
            CoreFileDirectory = options.CoreDirectory,
            Beacon = beacon,
            Timeout = timeout,
            Name = "gecko find",
        };
    }

    private static string Describe(HubSource source) => source switch
    {
        HubSource.Explicit => "explicit addresses",
        HubSource.Environment => "the environment",
        HubSource.CoreFile => "core file",
        HubSource.Beacon => "beacon",
        _ => "defaults",
    };
}
