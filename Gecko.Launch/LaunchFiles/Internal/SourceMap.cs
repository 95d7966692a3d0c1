namespace Gecko.Launch.LaunchFiles.Internal;

/// <summary>A place in a launch file, or a <c>--set</c> override (line 0).</summary>
/// <param name="File">The file as shown to the user, or <c>--set KEY=VALUE</c>.</param>
/// <param name="Folder">The folder relative paths written there are relative to.</param>
/// <param name="Line">The 1-based line; 0 for an override.</param>
internal sealed record SourceLocation(string File, string Folder, int Line)
{
    /// <summary>Whether this is a <c>--set</c> override rather than a place in a file.</summary>
    public bool IsOverride => Line == 0;

    public override string ToString() => IsOverride ? File : $"{File}:{Line}";
}

/// <summary>
/// Where each key path of a launch file (and of the files it includes) was written. Akka's HOCON parser keeps no
/// positions, so the scanner records them from the source text and errors about values are mapped back here.
/// </summary>
internal sealed class SourceMap
{
    private readonly Dictionary<string, List<SourceLocation>> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _order = new(StringComparer.Ordinal);
    private readonly List<(string Path, SourceLocation Location)> _substitutions = [];

    /// <summary>The file the launch started from.</summary>
    public required SourceLocation Root { get; init; }

    /// <summary>Records that <paramref name="path"/> (dot-joined segments) was set at <paramref name="location"/>.</summary>
    public void AddKey(string path, SourceLocation location)
    {
        if (!_keys.TryGetValue(path, out var list))
        {
            _keys[path] = list = [];
            _order[path] = _order.Count;
        }
        list.Add(location);
    }

    /// <summary>The rank of <paramref name="path"/>'s first appearance in the sources (unknown paths last).</summary>
    public int Order(string path) => _order.GetValueOrDefault(path, int.MaxValue);

    /// <summary>Records a <c>${path}</c> substitution at <paramref name="location"/>.</summary>
    public void AddSubstitution(string path, SourceLocation location) => _substitutions.Add((path, location));

    /// <summary>Every place <paramref name="path"/> was set, in file order (includes where they are included).</summary>
    public IReadOnlyList<SourceLocation> All(string path) => _keys.TryGetValue(path, out var list) ? list : [];

    /// <summary>
    /// Where the value of <paramref name="path"/> comes from: its last setting (HOCON's later-wins), or else where its
    /// closest enclosing object was written, or else the launch file itself.
    /// </summary>
    public SourceLocation Of(string path)
    {
        for (var p = path; p.Length > 0; p = Parent(p))
            if (_keys.TryGetValue(p, out var list)) return list[^1];
        return Root;
    }

    /// <summary>Where the object or key <paramref name="path"/> was first written.</summary>
    public SourceLocation FirstOf(string path)
    {
        for (var p = path; p.Length > 0; p = Parent(p))
            if (_keys.TryGetValue(p, out var list)) return list[0];
        return Root;
    }

    /// <summary>Where a <c>${path}</c> substitution that Akka reports as <paramref name="path"/> was written, if it was.</summary>
    public SourceLocation? SubstitutionOf(string path) =>
        _substitutions.LastOrDefault(s => s.Path == path || path.EndsWith("." + s.Path, StringComparison.Ordinal)).Location;

    private static string Parent(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? "" : path[..dot];
    }
}
