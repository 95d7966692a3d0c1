using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Gecko.Launch.LaunchFiles.Internal;

/// <summary>
/// A HOCON launch file with everything it includes (paths relative to the including file) and its <c>--set</c>
/// overrides: checked by <see cref="HoconScanner"/> (syntax, includes, positions), then parsed by Akka's HOCON parser.
/// </summary>
internal sealed partial class HoconSources
{
    private readonly Dictionary<string, string> _texts = new(StringComparer.Ordinal);
    private readonly List<LaunchFileError> _errors;

    private HoconSources(SourceMap map, List<LaunchFileError> errors)
    {
        Map = map;
        _errors = errors;
    }

    /// <summary>Where each key was written.</summary>
    public SourceMap Map { get; }

    /// <summary>What the user wrote: the overrides over the file over its includes (no defaults).</summary>
    public Config Config { get; private set; } = Config.Empty;

    /// <summary>The user's objects, the overrides first: the file's keys are the union of theirs.</summary>
    public IReadOnlyList<Config> Layers { get; private set; } = [];

    /// <summary>Scans and parses <paramref name="fullPath"/> and <paramref name="overrides"/> (<c>KEY=VALUE</c>);
    /// problems go to <paramref name="errors"/>. When the file itself cannot be read, <see cref="Layers"/> is empty.</summary>
    /// <param name="fullPath">The launch file.</param>
    /// <param name="overrides">The <c>--set</c> overrides, later ones winning.</param>
    /// <param name="errors">Where problems go.</param>
    /// <param name="fileLayer">What the file says, when it is not HOCON (a pygecko JSON file): it is then not parsed here.</param>
    public static HoconSources Load(string fullPath, IReadOnlyList<string> overrides, List<LaunchFileError> errors, Config? fileLayer = null)
    {
        var root = new SourceLocation(Display(fullPath), Path.GetDirectoryName(fullPath)!, 1);
        var sources = new HoconSources(new SourceMap { Root = root }, errors);
        if (fileLayer is null) sources.ScanFile(fullPath, "", [fullPath], includedAt: null);
        var fileScanned = errors.Count == 0;
        // A malformed override is reported and left out; the file is still read, so every problem shows at once.
        var overrideTexts = sources.ScanOverrides(overrides);
        if (!fileScanned) return sources;

        var layers = new List<Config>();
        try
        {
            for (var i = overrideTexts.Count - 1; i >= 0; i--)
                layers.Add(ConfigurationFactory.ParseString(overrideTexts[i]));
            layers.Add(fileLayer ?? new Config(sources.Parse(fullPath)));
        }
        catch (ParseFailed failed)
        {
            errors.Add(failed.Error);
            return sources;
        }
        sources.Layers = layers;
        sources.Config = layers.Skip(1).Aggregate(layers[0], (config, fallback) => config.WithFallback(fallback));
        return sources;
    }

    /// <summary>A file name as the user would type it: relative to the working directory when inside it.</summary>
    public static string Display(string fullPath)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? fullPath : relative;
    }

    private void ScanFile(string fullPath, string prefix, List<string> chain, SourceLocation? includedAt)
    {
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var at = includedAt ?? Map.Root;
            _errors.Add(new LaunchFileError(at.File, includedAt is null ? 0 : at.Line, $"cannot read {fullPath}: {e.Message}"));
            return;
        }
        _texts[fullPath] = text;
        var display = Display(fullPath);
        var listener = new Listener(this, fullPath, display, chain, isOverride: false);
        if (HoconScanner.Scan(text, prefix, listener) is { } error)
            _errors.Add(new LaunchFileError(display, error.Line, error.Message));
    }

    private List<string> ScanOverrides(IReadOnlyList<string> overrides)
    {
        var texts = new List<string>();
        foreach (var assignment in overrides)
        {
            var where = $"--set {assignment}";
            var equals = assignment.IndexOf('=');
            var key = equals < 0 ? "" : assignment[..equals].Trim();
            if (equals < 0 || !OverrideKey().IsMatch(key))
            {
                _errors.Add(new LaunchFileError(where, 0,
                    "expected KEY=VALUE with a dotted key, e.g. --set gecko.core.stats-interval=1s or --set gecko.processes.camera.restart=always"));
                continue;
            }
            var value = assignment[(equals + 1)..].Trim();
            // Arrays and objects are HOCON; anything else is one string, so addresses and paths need no quoting.
            var text = value.StartsWith('[') || value.StartsWith('{') ? $"{key} = {value}" : $"{key} = {JsonSerializer.Serialize(value)}";
            var listener = new Listener(this, Path.Combine(Environment.CurrentDirectory, "--set"), where, [], isOverride: true);
            if (HoconScanner.Scan(text, "", listener) is { } error)
            {
                _errors.Add(new LaunchFileError(where, 0, error.Message));
                continue;
            }
            texts.Add(text);
        }
        return texts;
    }

    private HoconRoot Parse(string fullPath)
    {
        var text = _texts[fullPath];
        var folder = Path.GetDirectoryName(fullPath)!;
        try
        {
            // An included file's substitutions are resolved within it; handing them up again would make Akka
            // resolve them once more under a wrong prefix ("." + path for an include at the root).
            return Parser.Parse(text, target => new HoconRoot(Parse(Path.GetFullPath(target, folder)).Value));
        }
        catch (ParseFailed)
        {
            throw;
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or ConfigurationException or InvalidOperationException
                                      or ArgumentException or IndexOutOfRangeException)
        {
            throw new ParseFailed(MapParserError(fullPath, text, e));
        }
    }

    private LaunchFileError MapParserError(string fullPath, string text, Exception e)
    {
        var display = Display(fullPath);
        var message = e.Message.Split('\n')[0].Trim();
        if (Position().Match(e.Message) is { Success: true } position && int.TryParse(position.Groups[1].Value, out var offset))
        {
            var line = 1 + text.AsSpan(0, Math.Min(offset, text.Length)).Count('\n');
            return new LaunchFileError(display, line, $"HOCON parser: {message.TrimEnd(':')}");
        }
        if (Unresolved().Match(e.Message) is { Success: true } unresolved)
        {
            var path = unresolved.Groups[1].Value.Trim();
            var at = Map.SubstitutionOf(path);
            return new LaunchFileError(at?.File ?? display, at?.Line ?? 1,
                $"${{{path}}} refers to a key that is not set in this file (substitutions are resolved within each file)");
        }
        return new LaunchFileError(display, 1, $"HOCON parser: {message}");
    }

    [GeneratedRegex(@"position (\d+)")]
    private static partial Regex Position();

    [GeneratedRegex(@"Unresolved substitution:\s*(\S+)")]
    private static partial Regex Unresolved();

    [GeneratedRegex(@"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")]
    private static partial Regex OverrideKey();

    private sealed class ParseFailed(LaunchFileError error) : Exception(error.ToString())
    {
        public LaunchFileError Error { get; } = error;
    }

    private sealed class Listener(HoconSources sources, string fullPath, string display, List<string> chain, bool isOverride) : IHoconScanListener
    {
        public void Key(string path, int line) => sources.Map.AddKey(path, Location(line));

        public void Substitution(string path, int line) => sources.Map.AddSubstitution(path, Location(line));

        public void Include(string path, string target, int line)
        {
            var folder = Path.GetDirectoryName(fullPath)!;
            var resolved = Path.GetFullPath(target, folder);
            if (!File.Exists(resolved))
            {
                sources._errors.Add(new LaunchFileError(display, line, $"include \"{target}\": no such file ({resolved})"));
                return;
            }
            if (chain.Contains(resolved))
            {
                var cycle = string.Join(" → ", chain.Append(resolved).Select(Path.GetFileName));
                sources._errors.Add(new LaunchFileError(display, line, $"include \"{target}\" includes itself in a loop ({cycle})"));
                return;
            }
            sources.ScanFile(resolved, path, [.. chain, resolved], Location(line));
        }

        private SourceLocation Location(int line) => new(display, Path.GetDirectoryName(fullPath)!, isOverride ? 0 : line);
    }
}
