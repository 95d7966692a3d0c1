using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Configuration;

namespace Gecko.Launch.LaunchFiles.Internal;

/// <summary>An entry of a pygecko JSON launch file: <c>[module, function, kwargs]</c>.</summary>
/// <param name="Name">The process name: the function's, numbered from the second of the same name on.</param>
/// <param name="Module">The Python module, imported from the launch file's folder.</param>
/// <param name="Function">The function called with the kwargs.</param>
/// <param name="KwargsJson">The kwargs object, as written.</param>
/// <param name="Line">Where the entry is.</param>
internal sealed record PygeckoProcess(string Name, string Module, string Function, string KwargsJson, int Line);

/// <summary>
/// Reads pygecko's JSON launch files as they are: <c>{"processes": [[module, function, kwargs], ...], "geckocore": {...}}</c>.
/// Its <c>geckocore</c> block becomes the hub's settings; each entry becomes a Python process (see
/// <see cref="HoconLaunchReader"/>, which checks everything else the same way as for a HOCON file).
/// </summary>
internal static partial class PygeckoLaunchReader
{
    private static readonly string[] TopLevel = ["processes", "geckocore"];
    private static readonly string[] CoreKeys = ["type", "in", "out", "key", "in_addr", "out_addr"];

    /// <summary>Reads <paramref name="fullPath"/>: the hub settings as a config layer and the Python processes.</summary>
    public static (Config Core, List<PygeckoProcess> Processes) Read(string fullPath, string display, List<LaunchFileError> errors)
    {
        var core = Config.Empty;
        var processes = new List<PygeckoProcess>();
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new LaunchFileError(display, 0, $"cannot read it: {e.Message}"));
            return (core, processes);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            var message = e.Message.Split(" LineNumber:")[0].Split(" Path:")[0].Trim();
            errors.Add(new LaunchFileError(display, (int)(e.LineNumber ?? 0) + 1, $"not valid JSON: {message}"));
            return (core, processes);
        }
        using (document)
        {
            var lines = JsonLines.Of(bytes);
            void Error(string path, string message) => errors.Add(new LaunchFileError(display, lines.Of(path), message));

            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Error("", "a pygecko launch file is a JSON object: {\"processes\": [[\"module\", \"function\", {\"kwarg\": 1}], ...]}");
                return (core, processes);
            }
            foreach (var property in root.EnumerateObject())
                if (!TopLevel.Contains(property.Name))
                    Error(property.Name, $"unknown key \"{property.Name}\"{ClosestName.Hint(property.Name, TopLevel)}: a pygecko launch file holds \"processes\" and \"geckocore\"");

            if (root.TryGetProperty("geckocore", out var geckocore)) core = ReadCore(geckocore, Error);

            if (!root.TryGetProperty("processes", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                Error(root.TryGetProperty("processes", out _) ? "processes" : "",
                    "\"processes\" must be an array of [\"module\", \"function\", {kwargs}] entries");
                return (core, processes);
            }
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            var index = 0;
            foreach (var entry in list.EnumerateArray())
            {
                var path = $"processes[{index++}]";
                if (ReadEntry(entry, path, Error) is not { } e) continue;
                var (module, function, kwargs) = e;
                var count = seen[function] = seen.GetValueOrDefault(function) + 1;
                processes.Add(new PygeckoProcess(count == 1 ? function : $"{function}-{count}", module, function, kwargs, lines.Of(path)));
            }
            if (index == 0) Error("processes", "\"processes\" is empty: nothing to launch");
        }
        return (core, processes);
    }

    private static (string Module, string Function, string Kwargs)? ReadEntry(JsonElement entry, string path, Action<string, string> error)
    {
        const string shape = "[\"module\", \"function\", {\"kwarg\": \"value\"}]";
        if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() is not (2 or 3))
        {
            error(path, $"each process is {shape} (kwargs may be left out)");
            return null;
        }
        var items = entry.EnumerateArray().ToList();
        if (items[0].ValueKind == JsonValueKind.String && items[0].GetString()!.EndsWith(".py", StringComparison.Ordinal))
        {
            error(path, $"the module {items[0].GetRawText()} is a file name: write the module, \"{items[0].GetString()![..^3]}\"");
            return null;
        }
        if (items[0].ValueKind != JsonValueKind.String || !ModuleName().IsMatch(items[0].GetString()!))
        {
            error(path, $"the module {items[0].GetRawText()} is not a Python module name (e.g. \"process\" for process.py next to the launch file)");
            return null;
        }
        if (items[1].ValueKind != JsonValueKind.String || !Identifier().IsMatch(items[1].GetString()!))
        {
            error(path, $"the function {items[1].GetRawText()} is not a Python function name");
            return null;
        }
        if (items.Count == 3 && items[2].ValueKind != JsonValueKind.Object)
        {
            error(path, $"the kwargs {items[2].GetRawText()} must be a JSON object of keyword arguments");
            return null;
        }
        return (items[0].GetString()!, items[1].GetString()!, items.Count == 3 ? items[2].GetRawText() : "{}");
    }

    // pygecko's geckocore block: {"type": "tcp", "in": [host, port], "out": [host, port]}, or {"key": name}.
    private static Config ReadCore(JsonElement core, Action<string, string> error)
    {
        if (core.ValueKind != JsonValueKind.Object)
        {
            error("geckocore", "\"geckocore\" must be an object, e.g. {\"type\": \"tcp\", \"in\": [\"localhost\", 9998], \"out\": [\"localhost\", 9999]}");
            return Config.Empty;
        }
        foreach (var property in core.EnumerateObject())
            if (!CoreKeys.Contains(property.Name))
                error($"geckocore.{property.Name}", $"unknown key \"{property.Name}\" in geckocore{ClosestName.Hint(property.Name, CoreKeys)}");

        var settings = new Dictionary<string, string>();
        if (core.TryGetProperty("type", out var type))
        {
            var kind = type.ValueKind == JsonValueKind.String ? type.GetString()!.ToLowerInvariant() : type.GetRawText();
            if (kind is not ("tcp" or "uds"))
                error("geckocore.type", $"\"type\": {type.GetRawText()} is not a transport: use \"tcp\" or \"uds\"");
            else
            {
                foreach (var (side, key) in new[] { ("in", "in-address"), ("out", "out-address") })
                {
                    var endpoint = kind == "tcp" ? HostPort(core, side, error) : SocketPath(core, side, error);
                    if (endpoint is not null) settings[key] = endpoint;
                }
            }
        }
        foreach (var (side, key) in new[] { ("in_addr", "in-address"), ("out_addr", "out-address") })
        {
            if (!core.TryGetProperty(side, out var address)) continue;
            if (address.ValueKind == JsonValueKind.String) settings[key] = address.GetString()!;
            else error($"geckocore.{side}", $"\"{side}\" must be an endpoint string such as \"tcp://127.0.0.1:9998\"");
        }
        if (core.TryGetProperty("key", out var hubKey))
        {
            if (hubKey.ValueKind == JsonValueKind.String) settings["key"] = hubKey.GetString()!;
            else error("geckocore.key", "\"key\" must be a string: the name the hub answers beacon look-ups for");
        }

        var text = new StringBuilder("gecko.core {\n");
        foreach (var (key, value) in settings) text.Append(CultureInfo.InvariantCulture, $"  {key} = {JsonSerializer.Serialize(value)}\n");
        return ConfigurationFactory.ParseString(text.Append('}').ToString());
    }

    private static string? HostPort(JsonElement core, string side, Action<string, string> error)
    {
        var path = $"geckocore.{side}";
        if (!core.TryGetProperty(side, out var pair) || pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2
            || pair[0].ValueKind != JsonValueKind.String || pair[1].ValueKind != JsonValueKind.Number || !pair[1].TryGetInt32(out var port))
        {
            error(core.TryGetProperty(side, out _) ? path : "geckocore", $"\"type\": \"tcp\" needs \"{side}\": [host, port], e.g. [\"localhost\", {(side == "in" ? 9998 : 9999)}]");
            return null;
        }
        var host = pair[0].GetString()!;
        // pygecko wrote "localhost"; the hub binds addresses, and loopback is what it meant.
        if (host == "localhost") host = "127.0.0.1";
        return $"tcp://{host}:{port}";
    }

    // pygecko's Unix domain sockets: {"type": "uds", "in": "/tmp/gecko-in", "out": "/tmp/gecko-out"}, ipc:// as libzmq spells them.
    private static string? SocketPath(JsonElement core, string side, Action<string, string> error)
    {
        if (core.TryGetProperty(side, out var path) && path.ValueKind == JsonValueKind.String && path.GetString()!.Length > 0)
            return $"ipc://{path.GetString()}";
        error(core.TryGetProperty(side, out _) ? $"geckocore.{side}" : "geckocore",
            $"\"type\": \"uds\" needs \"{side}\": a socket file path, e.g. \"/tmp/gecko-{side}.sock\"");
        return null;
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial Regex ModuleName();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    /// <summary>The line of each value in a JSON text, by path (<c>processes[2]</c>, <c>geckocore.key</c>).</summary>
    private sealed class JsonLines
    {
        private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);

        public int Of(string path) => _lines.GetValueOrDefault(path, 1);

        public static JsonLines Of(byte[] json)
        {
            var result = new JsonLines();
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            // Per open container: its path and, for arrays, the next index.
            var stack = new Stack<(string Path, int Index, bool IsArray)>();
            string? property = null;
            var lineStarts = LineStarts(json);
            while (reader.Read())
            {
                var line = LineOf(lineStarts, (int)reader.TokenStartIndex);
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        var parent = stack.Count > 0 ? stack.Peek().Path : "";
                        result._lines.TryAdd(Join(parent, property!), line);
                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        stack.Pop();
                        continue;
                }
                var path = CurrentPath(stack, property);
                property = null;
                result._lines.TryAdd(path, line);
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    stack.Push((path, 0, reader.TokenType == JsonTokenType.StartArray));
            }
            return result;
        }

        private static string CurrentPath(Stack<(string Path, int Index, bool IsArray)> stack, string? property)
        {
            if (stack.Count == 0) return "";
            var (parent, index, isArray) = stack.Pop();
            stack.Push((parent, isArray ? index + 1 : index, isArray));
            return isArray ? $"{parent}[{index}]" : Join(parent, property!);
        }

        private static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

        private static List<int> LineStarts(byte[] json)
        {
            var starts = new List<int> { 0 };
            for (var i = 0; i < json.Length; i++)
                if (json[i] == '\n') starts.Add(i + 1);
            return starts;
        }

        private static int LineOf(List<int> starts, int offset)
        {
            var index = starts.BinarySearch(offset);
            return (index >= 0 ? index : ~index - 1) + 1;
        }
    }
}
