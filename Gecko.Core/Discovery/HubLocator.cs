using Gecko.Core.Hub;
using Gecko.Core.Wire;

namespace Gecko.Core.Discovery;

/// <summary>
/// Finds the hub as DESIGN.md's "Finding the hub" says, in order: explicit addresses → <c>GECKO_CORE_IN</c> /
/// <c>GECKO_CORE_OUT</c> → the core file of a live hub on this machine → the multicast beacon (when a key is known,
/// from the query or <c>GECKO_CORE_KEY</c>) → the defaults. Each address is taken from the first step that has it,
/// so an explicit in address with an out address from the core file is possible. Used by standalone nodes and the
/// command-line tools.
/// </summary>
/// <example>
/// <code>
/// var hub = HubLocator.Locate(new HubQuery { Key = "robot1" });
/// Console.WriteLine($"{hub.InAddress} {hub.OutAddress}: {hub.Detail}");
/// </code>
/// </example>
public static class HubLocator
{
    /// <summary>The environment variable holding the hub's in endpoint.</summary>
    public const string InVariable = "GECKO_CORE_IN";

    /// <summary>The environment variable holding the hub's out endpoint.</summary>
    public const string OutVariable = "GECKO_CORE_OUT";

    /// <summary>The environment variable holding the key of the hub to look up by beacon.</summary>
    public const string KeyVariable = "GECKO_CORE_KEY";

    /// <summary>Finds the hub, falling back to the default addresses when no step finds one. Blocks for at most the
    /// beacon timeout.</summary>
    /// <param name="query">What is known; null for nothing.</param>
    /// <param name="token">Stops a beacon look-up early.</param>
    /// <exception cref="GeckoConfigurationException">An explicit address, an environment variable or a beacon setting is malformed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="token"/> fired.</exception>
    public static HubLocation Locate(HubQuery? query = null, CancellationToken token = default)
    {
        var search = Run(query ?? new HubQuery(), token);
        if (search.Location is { } found) return found;
        var defaults = CoreSettings.Default;
        search.In ??= new Part(defaults.InAddress, HubSource.Default);
        search.Out ??= new Part(defaults.OutAddress, HubSource.Default);
        return search.Complete(HubSource.Default, "the defaults, since nothing else found a hub", null, null);
    }

    /// <summary>Finds the hub without falling back to the defaults: <see cref="HubSearch.Location"/> is null when no
    /// step found both addresses. Blocks for at most the beacon timeout.</summary>
    /// <param name="query">What is known; null for nothing.</param>
    /// <param name="token">Stops a beacon look-up early.</param>
    /// <exception cref="GeckoConfigurationException">An explicit address, an environment variable or a beacon setting is malformed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="token"/> fired.</exception>
    public static HubSearch Search(HubQuery? query = null, CancellationToken token = default)
    {
        var search = Run(query ?? new HubQuery(), token);
        return new HubSearch(search.Location, search.Tried);
    }

    /// <summary>Runs <see cref="Locate"/> off the calling thread.</summary>
    public static Task<HubLocation> LocateAsync(HubQuery? query = null, CancellationToken token = default) =>
        Task.Run(() => Locate(query, token), token);

    /// <summary>Runs <see cref="Search"/> off the calling thread.</summary>
    public static Task<HubSearch> SearchAsync(HubQuery? query = null, CancellationToken token = default) =>
        Task.Run(() => Search(query, token), token);

    private static SearchState Run(HubQuery query, CancellationToken token)
    {
        var state = new SearchState();
        if (query.InAddress is not null) state.In = new Part(Validated(query.InAddress, "the explicit in address"), HubSource.Explicit);
        if (query.OutAddress is not null) state.Out = new Part(Validated(query.OutAddress, "the explicit out address"), HubSource.Explicit);
        if (state.Done) return state.Finish(HubSource.Explicit, "given explicitly", null, null);

        var environment = query.Environment;
        var envIn = Read(environment, InVariable);
        var envOut = Read(environment, OutVariable);
        if (envIn is not null) state.In ??= new Part(Validated(envIn, InVariable), HubSource.Environment);
        if (envOut is not null) state.Out ??= new Part(Validated(envOut, OutVariable), HubSource.Environment);
        if (state.Done) return state.Finish(HubSource.Environment, $"from {InVariable} and {OutVariable}", null, null);
        if (envIn is null && envOut is null) state.Tried.Add($"environment: {InVariable} and {OutVariable} are not set");

        var key = query.Key is { } given && !string.IsNullOrWhiteSpace(given) ? given.Trim() : Read(environment, KeyVariable)?.Trim();
        var directory = query.CoreFileDirectory ?? CoreSettings.Default.CoreFileDirectory;
        var live = CoreFile.FindLive(directory);
        var file = key is null
            ? live.FirstOrDefault()
            : live.FirstOrDefault(c => string.Equals(c.Key, key, StringComparison.OrdinalIgnoreCase));
        if (file is not null && IsValid(file.InAddress) && IsValid(file.OutAddress))
        {
            state.In ??= new Part(file.InAddress, HubSource.CoreFile);
            state.Out ??= new Part(file.OutAddress, HubSource.CoreFile);
            return state.Finish(HubSource.CoreFile, $"from the core file of hub pid {file.Pid} in {directory}", file.Key, file.Pid);
        }
        state.Tried.Add(key is null || live.Count == 0
            ? $"core file: no live hub's core file in {directory}"
            : $"core file: none for key '{key}' in {directory} (only {string.Join(", ", live.Select(c => $"'{c.Key}'"))})");

        if (key is null)
        {
            state.Tried.Add($"beacon: not asked, no key given (set {KeyVariable} or pass a key)");
            return state;
        }
        var beacon = query.Timeout is { } timeout ? (query.Beacon with { Timeout = timeout }).Validated() : query.Beacon;
        if (BeaconLookup.TryAsk(key, beacon, out var answer, out var silence, query.Name, token))
        {
            state.In ??= new Part(answer.InAddress, HubSource.Beacon);
            state.Out ??= new Part(answer.OutAddress, HubSource.Beacon);
            return state.Finish(HubSource.Beacon,
                $"answered the beacon look-up for '{key}' from {answer.From.Address} in {answer.Elapsed.TotalMilliseconds:0} ms", answer.Key ?? key, answer.Pid);
        }
        state.Tried.Add($"beacon: {silence}");
        return state;
    }

    private static string? Read(IReadOnlyDictionary<string, string>? environment, string name)
    {
        var value = environment is null ? System.Environment.GetEnvironmentVariable(name) : environment.GetValueOrDefault(name);
        // An empty variable is how a script unsets it for a child: treat it as absent.
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static string Validated(string endpoint, string what)
    {
        Endpoint.Validate(endpoint, what);
        return endpoint;
    }

    private static bool IsValid(string endpoint)
    {
        try
        {
            Endpoint.Validate(endpoint, "core file");
            return true;
        }
        catch (GeckoConfigurationException)
        {
            return false;
        }
    }

    private sealed record Part(string Address, HubSource Source);

    private sealed class SearchState
    {
        public Part? In { get; set; }
        public Part? Out { get; set; }
        public List<string> Tried { get; } = [];
        public HubLocation? Location { get; private set; }
        public bool Done => In is not null && Out is not null;

        public SearchState Finish(HubSource step, string detail, string? key, int? pid)
        {
            Location = Complete(step, detail, key, pid);
            return this;
        }

        public HubLocation Complete(HubSource step, string detail, string? key, int? pid)
        {
            var source = (HubSource)Math.Max((int)In!.Source, (int)Out!.Source);
            // Say so when one address came from somewhere else than the step that completed the pair.
            if (In.Source != step) detail = $"in {Describe(In.Source)}; out {detail}";
            else if (Out.Source != step) detail = $"out {Describe(Out.Source)}; in {detail}";
            return new HubLocation(In.Address, Out.Address, source) { Key = key, Pid = pid, Detail = detail, Tried = Tried.ToArray() };
        }

        private static string Describe(HubSource source) => source switch
        {
            HubSource.Explicit => "given explicitly",
            HubSource.Environment => $"from {InVariable}/{OutVariable}",
            _ => source.ToString(),
        };
    }
}
