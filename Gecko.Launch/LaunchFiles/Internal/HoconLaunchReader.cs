using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Gecko.Core;
using Gecko.Core.Cluster;
using Gecko.Core.Hub;
using Gecko.Launch.Launching;

namespace Gecko.Launch.LaunchFiles.Internal;

/// <summary>
/// Turns a HOCON launch file into a <see cref="LaunchPlan"/>, checking every key against the schema (the embedded
/// defaults) and every value's type, and refusing the file with all it finds wrong, each at its file and line.
/// </summary>
internal sealed partial class HoconLaunchReader
{
    private const string Nodes = "gecko.nodes";
    private const string Processes = "gecko.processes";
    private const string NodeDefaults = "gecko.launch.node-defaults";
    private const string ProcessDefaults = "gecko.launch.process-defaults";
    private const int MaxNodeCount = 1000;

    // Keys a launch file may have at its top: Gecko's own, Akka's (the actor system's settings, passed on), and
    // `vars` for values reused through ${vars.x} substitutions.
    private static readonly string[] TopLevel = ["gecko", "akka", "vars"];

    // Objects whose keys are the user's own: any name goes.
    private static readonly HashSet<string> FreeForm = [$"{ProcessDefaults}.environment", $"{NodeDefaults}.args"];

    private readonly string _fullPath;
    private readonly HoconSources _sources;
    private readonly IReadOnlyList<PygeckoProcess> _python;
    private readonly Config _merged;
    private bool? _clusterEnabled;
    private readonly List<LaunchFileError> _errors;

    private HoconLaunchReader(string fullPath, HoconSources sources, IReadOnlyList<PygeckoProcess> python, List<LaunchFileError> errors)
    {
        _errors = errors;
        _fullPath = fullPath;
        _sources = sources;
        _python = python;
        _merged = sources.Config.WithFallback(LaunchSettings.Defaults);
    }

    private SourceMap Map => _sources.Map;

    /// <summary>Reads and checks <paramref name="fullPath"/> with <paramref name="overrides"/> (<c>KEY=VALUE</c>).</summary>
    /// <exception cref="LaunchFileException">The file is refused; nothing may start.</exception>
    public static LaunchPlan Read(string fullPath, IReadOnlyList<string> overrides)
    {
        var errors = new List<LaunchFileError>();
        var sources = HoconSources.Load(fullPath, overrides, errors);
        if (sources.Layers.Count == 0) throw new LaunchFileException(errors);
        return new HoconLaunchReader(fullPath, sources, [], errors).Read();
    }

    /// <summary>Reads and checks the pygecko JSON launch file <paramref name="fullPath"/> with <paramref name="overrides"/>.</summary>
    /// <exception cref="LaunchFileException">The file is refused; nothing may start.</exception>
    public static LaunchPlan ReadPygecko(string fullPath, IReadOnlyList<string> overrides)
    {
        var errors = new List<LaunchFileError>();
        var (core, python) = PygeckoLaunchReader.Read(fullPath, HoconSources.Display(fullPath), errors);
        if (errors.Count > 0) throw new LaunchFileException(errors);
        var sources = HoconSources.Load(fullPath, overrides, errors, core);
        if (sources.Layers.Count == 0) throw new LaunchFileException(errors);
        return new HoconLaunchReader(fullPath, sources, python, errors).Read();
    }

    private LaunchPlan Read()
    {
        foreach (var layer in _sources.Layers) CheckTopLevel(layer.Root);
        CheckSettings();
        var nodes = ReadNodes();
        var processes = ReadProcesses();
        if (_python.Count > 0 && _errors.Count == 0) processes.AddRange(ReadPythonProcesses());
        CheckNames(nodes, processes);
        if (_errors.Count == 0) nodes = BuildProjects(nodes);
        if (_errors.Count > 0) throw new LaunchFileException(Sorted(_errors));
        return new LaunchPlan(_fullPath, _merged, nodes.Select(n => n.Spec).ToList(), processes);
    }

    // ---- keys ---------------------------------------------------------------------------------------------------

    private void CheckTopLevel(HoconValue root)
    {
        foreach (var (key, value) in HoconValues.Fields(root))
        {
            if (!TopLevel.Contains(key))
            {
                Error(key, $"unknown key '{key}'{ClosestName.Hint(key, TopLevel)}: a launch file holds gecko {{ core, nodes, processes }}");
                continue;
            }
            if (key != "gecko") continue;
            if (HoconValues.Kind(value) != HoconKind.Object)
            {
                Error(key, "gecko must be an object: gecko { core { ... }, nodes { ... }, processes { ... } }");
                continue;
            }
            var reference = HoconValues.Fields(LaunchSettings.Defaults.GetValue("gecko"));
            var known = reference.Keys.Concat(["nodes", "processes"]).ToList();
            foreach (var (section, sectionValue) in HoconValues.Fields(value))
            {
                var path = $"gecko.{section}";
                if (section is "nodes" or "processes")
                {
                    if (HoconValues.Kind(sectionValue) != HoconKind.Object)
                        Error(path, $"{path} must be an object of named entries, e.g. {path} {{ {(section == "nodes" ? "talker { type = \"My.Talker, MyNodes\" }" : "camera { command = ./camera, args = [--hz, \"15\"] }")} }}");
                    continue;
                }
                if (!reference.TryGetValue(section, out var sectionReference))
                {
                    Error(path, $"unknown key '{path}'{ClosestName.Hint(section, known)}");
                    continue;
                }
                CheckAgainstReference(path, sectionValue, sectionReference);
            }
        }
    }

    private void CheckAgainstReference(string path, HoconValue value, HoconValue reference)
    {
        var expected = HoconValues.Kind(reference);
        var actual = HoconValues.Kind(value);
        if (expected == HoconKind.Object)
        {
            if (actual != HoconKind.Object)
            {
                Error(path, $"{path} must be an object {{ ... }}, not {HoconValues.Describe(value)}");
                return;
            }
            var fields = HoconValues.Fields(reference);
            if (FreeForm.Contains(path) || fields.Count == 0) return;
            foreach (var (key, child) in HoconValues.Fields(value))
            {
                if (fields.TryGetValue(key, out var childReference)) CheckAgainstReference($"{path}.{key}", child, childReference);
                else Error($"{path}.{key}", $"unknown key '{path}.{key}'{ClosestName.Hint(key, fields.Keys)}");
            }
        }
        else if (actual == HoconKind.Object)
        {
            Error(path, $"{path} must be a single value, not an object");
        }
        else if (expected == HoconKind.Array && actual == HoconKind.Scalar)
        {
            Error(path, $"{path} must be an array [ ... ], not {HoconValues.Describe(value)}");
        }
        else if (expected == HoconKind.Scalar && actual == HoconKind.Array)
        {
            Error(path, $"{path} must be a single value, not an array");
        }
        else if (expected == HoconKind.Scalar && actual == HoconKind.Scalar)
        {
            CheckScalar(path, value, reference);
        }
    }

    // A value must be of the kind its default is (a duration where the default is "3s", a number where it is 10000),
    // so that the settings record reading it later cannot fail on its type.
    private void CheckScalar(string path, HoconValue value, HoconValue reference)
    {
        var text = HoconValues.Text(value);
        var example = HoconValues.Text(reference);
        var problem = ScalarType(example) switch
        {
            "boolean" when text.ToLowerInvariant() is not ("true" or "false" or "on" or "off") => "is not a boolean: use true or false (or on, off)",
            "integer" when !long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) => "is not a whole number",
            "number" when !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) => "is not a number",
            "duration" when !Try(() => value.GetTimeSpan(false)) => "is not a duration: write e.g. 500ms, 2s or 1m",
            "size" when !Try(() => value.GetByteSize() ?? throw new FormatException()) => "is not a size: write e.g. 512 KiB or 8 MiB",
            _ => null,
        };
        if (problem is not null) Error(path, $"{path} = {text} {problem} (default: {example})");
    }

    private static string ScalarType(string example)
    {
        if (example.ToLowerInvariant() is "true" or "false" or "on" or "off") return "boolean";
        if (IntegerLiteral().IsMatch(example)) return "integer";
        if (NumberLiteral().IsMatch(example)) return "number";
        if (DurationLiteral().IsMatch(example)) return "duration";
        if (SizeLiteral().IsMatch(example)) return "size";
        return "string";
    }

    private static bool Try(Func<object> read)
    {
        try
        {
            read();
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or NotSupportedException or ConfigurationException)
        {
            return false;
        }
    }

    private void CheckSettings()
    {
        try
        {
            CoreSettings.Create(_merged);
        }
        catch (GeckoConfigurationException e)
        {
            SettingsError(KeyNamedIn(e.Message, "gecko.core"), e.Message);
        }
        try
        {
            LaunchSettings.Create(_merged);
        }
        catch (GeckoConfigurationException e)
        {
            SettingsError(KeyNamedIn(e.Message, "gecko.launch"), e.Message);
        }
        try
        {
            _clusterEnabled = ClusterSettings.Create(_merged).Enabled;
        }
        catch (GeckoConfigurationException e)
        {
            SettingsError(KeyNamedIn(e.Message, "gecko.cluster"), e.Message);
        }
    }

    // A settings record may trip over a value already reported (a wrong type): one error per spot is enough.
    private void SettingsError(string path, string message)
    {
        var at = Map.Of(path);
        if (!_errors.Any(e => e.File == at.File && e.Line == at.Line)) Error(at, message);
    }

    // The key a settings error names (e.g. "gecko.core.in-address" or just "in-address"), else the section.
    private string KeyNamedIn(string message, string section)
    {
        var keys = HoconValues.Fields(LaunchSettings.Defaults.GetValue(section)).Keys;
        return keys.OrderByDescending(k => k.Length).FirstOrDefault(k => message.Contains(k, StringComparison.Ordinal)) is { } key
            ? $"{section}.{key}"
            : section;
    }

    // ---- nodes --------------------------------------------------------------------------------------------------

    private sealed record ReadNode(NodeSpec Spec, string? Project, string Path);

    private List<ReadNode> ReadNodes()
    {
        var nodes = new List<ReadNode>();
        var allowed = HoconValues.Fields(LaunchSettings.Defaults.GetValue(NodeDefaults)).Keys.Append("type").ToList();
        foreach (var name in EntryNames(Nodes))
        {
            var path = $"{Nodes}.{name}";
            if (!CheckEntry("node", name, path, allowed, "type")) continue;
            var defined = DefinedAt(path, "type");
            if (defined.Count > 1)
                Error(defined[1], $"node '{name}' is defined again here (first at {defined[0]}): give one of them another name");

            var typeName = ReadString(path, NodeDefaults, "type", required: true);
            var count = ReadInt(path, NodeDefaults, "count", 1, MaxNodeCount);
            var arguments = ReadMap(path, NodeDefaults, "args");
            var role = ReadString(path, NodeDefaults, "role");
            var assembly = ReadPath(path, NodeDefaults, "assembly", mustBe: "file");
            var project = ReadPath(path, NodeDefaults, "project", mustBe: "file");
            if (typeName is null || count is null || arguments is null || role is null) continue;
            if (role.Length > 0 && role.Any(c => !(char.IsLetterOrDigit(c) || c is '-' or '_' or '.')))
            {
                Error($"{path}.role", $"node '{name}': role '{role}' is not a role name: use letters, digits, '-', '_' or '.', e.g. role = pi");
                continue;
            }
            if (role.Length > 0 && _clusterEnabled == false)
            {
                Error($"{path}.role", $"node '{name}' is placed by role '{role}', but this launch is not in a cluster: turn it on (gecko.cluster.enabled = on, or --cluster-seed HOST:PORT) or remove the role");
                continue;
            }
            if (assembly is not null && project is not null)
            {
                Error($"{path}.project", $"node '{name}' names both an assembly and a project: give one of them");
                continue;
            }
            Type? type = null;
            if (project is null)
            {
                var (resolved, error) = NodeTypes.Resolve(typeName, assembly);
                if (error is not null)
                {
                    Error($"{path}.type", $"node '{name}': {error}");
                    continue;
                }
                type = resolved;
            }
            nodes.Add(new ReadNode(new NodeSpec(name, type ?? typeof(object), count.Value, arguments, role.Length == 0 ? null : role), project, path));
        }
        return nodes;
    }

    private List<ReadNode> BuildProjects(List<ReadNode> nodes)
    {
        var built = new Dictionary<string, (string? Assembly, string? Error)>(StringComparer.Ordinal);
        var result = new List<ReadNode>();
        foreach (var node in nodes)
        {
            if (node.Project is null)
            {
                result.Add(node);
                continue;
            }
            if (!built.TryGetValue(node.Project, out var output)) built[node.Project] = output = ProjectBuild.Build(node.Project);
            if (output.Error is not null)
            {
                Error($"{node.Path}.project", $"node '{node.Spec.Name}': {output.Error}");
                continue;
            }
            var typeName = _merged.GetString($"{node.Path}.type");
            var (type, error) = NodeTypes.Resolve(typeName, output.Assembly);
            if (error is not null)
            {
                Error($"{node.Path}.type", $"node '{node.Spec.Name}': {error}");
                continue;
            }
            result.Add(node with { Spec = node.Spec with { Type = type! } });
        }
        return result;
    }

    // ---- processes ----------------------------------------------------------------------------------------------

    private List<ProcessSpec> ReadProcesses()
    {
        var processes = new List<ProcessSpec>();
        var allowed = HoconValues.Fields(LaunchSettings.Defaults.GetValue(ProcessDefaults)).Keys.Append("command").ToList();
        foreach (var name in EntryNames(Processes))
        {
            // Settings of a pygecko process given by name (--set gecko.processes.publish.restart=always) apply to it there.
            if (_python.Any(p => p.Name == name)) continue;
            var path = $"{Processes}.{name}";
            if (!CheckEntry("process", name, path, allowed, "command")) continue;
            var defined = DefinedAt(path, "command");
            if (defined.Count > 1)
                Error(defined[1], $"process '{name}' is defined again here (first at {defined[0]}): give one of them another name");

            var command = ReadCommand(path);
            var arguments = ReadList(path, ProcessDefaults, "args");
            var workingDirectory = ReadPath(path, ProcessDefaults, "working-directory", mustBe: "directory");
            if (CompleteProcess(name, path, command, arguments, workingDirectory ?? Map.Root.Folder) is { } spec) processes.Add(spec);
        }
        return processes;
    }

    // The settings every process has, its own or the defaults; null when one is wrong (and said so).
    private ProcessSpec? CompleteProcess(string name, string path, string? command, IReadOnlyList<string>? arguments, string workingDirectory)
    {
        var environment = ReadMap(path, ProcessDefaults, "environment");
        var restart = ReadRestart(path);
        var delay = ReadDuration(path, ProcessDefaults, "restart-delay");
        var maxRestarts = ReadInt(path, ProcessDefaults, "max-restarts", 0, int.MaxValue);
        var window = ReadDuration(path, ProcessDefaults, "restart-window", positive: true);
        var required = ReadBool(path, ProcessDefaults, "required");
        var sigint = ReadDuration(path, ProcessDefaults, "sigint-timeout");
        var sigterm = ReadDuration(path, ProcessDefaults, "sigterm-timeout");
        if (environment is not null)
        {
            foreach (var variable in environment.Keys.Where(v => v.Length == 0 || v.Contains('=') || v.Contains('\0')))
                Error($"{path}.environment", $"'{variable}' is not an environment variable name (no '=' allowed)");
        }
        if (command is null || arguments is null || environment is null || restart is null || delay is null || maxRestarts is null
            || window is null || required is null || sigint is null || sigterm is null)
            return null;
        return new ProcessSpec(name, command, arguments, workingDirectory, environment, restart.Value,
            delay.Value, maxRestarts.Value, window.Value, required.Value, sigint.Value, sigterm.Value);
    }

    // pygecko's [module, function, kwargs] entries: Python running the bootstrap, which imports and calls them.
    private List<ProcessSpec> ReadPythonProcesses()
    {
        var result = new List<ProcessSpec>();
        var settings = LaunchSettings.Create(_merged);
        var folder = Map.Root.Folder;
        var (python, error) = Executables.Find(settings.Python, folder);
        if (python is null)
        {
            Error("gecko.launch.python", $"gecko.launch.python: {error} (pygecko launch files run their functions with it; --set gecko.launch.python=/path/to/python3 picks another)");
            return result;
        }
        var bootstrap = PygeckoBootstrap.ScriptPath;
        if (!File.Exists(bootstrap))
        {
            Error(Map.Root, $"gecko's pygecko bootstrap script is missing ({bootstrap}): reinstall gecko");
            return result;
        }
        var problems = PygeckoBootstrap.Check(python, folder, _python.Select(p => (p.Module, p.Function)).Distinct().ToList());
        var allowed = HoconValues.Fields(LaunchSettings.Defaults.GetValue(ProcessDefaults)).Keys
            .Except(["args", "working-directory"]).ToList();
        foreach (var entry in _python)
        {
            var at = new SourceLocation(Map.Root.File, folder, entry.Line);
            if (problems.TryGetValue((entry.Module, entry.Function), out var problem))
            {
                var local = Directory.EnumerateFiles(folder, "*.py").Select(Path.GetFileNameWithoutExtension).OfType<string>();
                Error(at, problem.StartsWith("module", StringComparison.Ordinal) && !problem.Contains("defines no")
                    ? problem + ClosestName.Hint(entry.Module, local)
                    : problem);
                continue;
            }
            var path = $"{Processes}.{entry.Name}";
            if (_merged.HasPath(path) && !CheckEntry("process", entry.Name, path, allowed, requiredKey: null)) continue;
            string[] arguments = ["-u", bootstrap, "run", folder, entry.Module, entry.Function, entry.KwargsJson];
            if (CompleteProcess(entry.Name, path, python, arguments, folder) is { } spec) result.Add(spec);
        }
        return result;
    }

    private string? ReadCommand(string path)
    {
        var command = ReadString(path, ProcessDefaults, "command", required: true);
        if (command is null) return null;
        if (command.Trim().Length == 0)
        {
            Error($"{path}.command", "command is empty: name the program to run, e.g. command = /usr/bin/python3");
            return null;
        }
        if (command == GeckoExecutable.CommandName) return command;
        if (command.Contains(' ') && !command.Contains('/'))
        {
            Error($"{path}.command", $"command '{command}' holds spaces: no shell splits it; put the program in command and each argument in args = [ ... ]");
            return null;
        }
        var (resolved, error) = Executables.Find(command, Map.Of($"{path}.command").Folder);
        if (error is not null) Error($"{path}.command", error);
        return resolved;
    }

    private RestartPolicy? ReadRestart(string path)
    {
        var (value, at) = Setting(path, ProcessDefaults, "restart");
        var text = Scalar(value, at, "one of never, on-failure, always");
        if (text is null) return null;
        RestartPolicy? policy = text switch
        {
            "never" => RestartPolicy.Never,
            "on-failure" => RestartPolicy.OnFailure,
            "always" => RestartPolicy.Always,
            _ => null,
        };
        if (policy is null)
            Error(at, $"restart = {text} is not a restart policy: use never, on-failure or always{ClosestName.Hint(text, ["never", "on-failure", "always"])}");
        return policy;
    }

    // ---- entries and names --------------------------------------------------------------------------------------

    // The names under gecko.nodes or gecko.processes, in the order they were first written.
    private List<string> EntryNames(string section)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in _sources.Layers)
        {
            if (!layer.HasPath(section)) continue;
            var value = layer.GetValue(section);
            if (HoconValues.Kind(value) == HoconKind.Object) names.UnionWith(HoconValues.Fields(value).Keys);
        }
        return names.OrderBy(n => Map.Order($"{section}.{n}")).ThenBy(n => n, StringComparer.Ordinal).ToList();
    }

    private bool CheckEntry(string kind, string name, string path, IReadOnlyList<string> allowed, string? requiredKey)
    {
        if (!ValidName().IsMatch(name))
        {
            Error(path, $"{kind} name '{name}' is not usable: use letters, digits, '-' and '_' (it names log files and actors)");
            return false;
        }
        var entry = _merged.GetValue(path);
        if (HoconValues.Kind(entry) != HoconKind.Object)
        {
            Error(path, $"{kind} '{name}' must be an object: {name} {{ {requiredKey} = ... }}");
            return false;
        }
        // Unknown keys and a missing type or command are reported, and the rest is still read, so that one run shows
        // everything wrong with the entry.
        foreach (var key in HoconValues.Fields(entry).Keys)
        {
            if (!allowed.Contains(key)) Error($"{path}.{key}", $"unknown key '{key}' in {kind} '{name}'{ClosestName.Hint(key, allowed)}");
        }
        if (requiredKey is not null && !HoconValues.Fields(entry).ContainsKey(requiredKey))
            Error(Map.FirstOf(path), $"{kind} '{name}' has no {requiredKey}: add {requiredKey} = {(requiredKey == "type" ? "\"Namespace.Type, Assembly\"" : "/path/to/program")}");
        return true;
    }

    // Where an entry's identifying key was written in files (overrides change entries, they do not define them).
    private List<SourceLocation> DefinedAt(string path, string key) => Map.All($"{path}.{key}").Where(l => !l.IsOverride).ToList();

    private void CheckNames(List<ReadNode> nodes, List<ProcessSpec> processes)
    {
        var taken = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var process in processes)
        {
            if (!taken.TryAdd(process.Name, $"process '{process.Name}'"))
                Error($"{Processes}.{process.Name}", $"process '{process.Name}' is defined twice: names must be unique");
        }
        foreach (var node in nodes)
        {
            var spec = node.Spec;
            if (taken.TryGetValue(spec.Name, out var other))
                Error(Map.FirstOf(node.Path), $"node '{spec.Name}' has the same name as {other}: names must be unique");
            for (var i = 2; i <= spec.Count; i++)
            {
                var instance = $"{spec.Name}-{i}";
                if (taken.TryGetValue(instance, out var clash) || nodes.Any(n => n.Spec.Name == instance))
                    Error(Map.FirstOf(node.Path), $"node '{spec.Name}' with count = {spec.Count} names an instance '{instance}', which is taken by {clash ?? $"node '{instance}'"}");
            }
        }
    }

    // ---- typed values -------------------------------------------------------------------------------------------

    // The value of key for an entry: the entry's own, else the launch's default.
    private (HoconValue? Value, string Path) Setting(string entryPath, string defaultsPath, string key)
    {
        var own = $"{entryPath}.{key}";
        if (_merged.HasPath(own)) return (_merged.GetValue(own), own);
        var fallback = $"{defaultsPath}.{key}";
        return (_merged.HasPath(fallback) ? _merged.GetValue(fallback) : null, fallback);
    }

    private string? Scalar(HoconValue? value, string at, string expected)
    {
        if (HoconValues.Kind(value) == HoconKind.Scalar) return HoconValues.Text(value!);
        Error(at, $"{Key(at)} must be {expected}, not {HoconValues.Describe(value)}");
        return null;
    }

    private string? ReadString(string entryPath, string defaultsPath, string key, bool required = false)
    {
        var (value, at) = Setting(entryPath, defaultsPath, key);
        if (value is null && required) return null;
        return Scalar(value, at, "a string");
    }

    private string? ReadPath(string entryPath, string defaultsPath, string key, string mustBe)
    {
        var text = ReadString(entryPath, defaultsPath, key);
        if (string.IsNullOrEmpty(text)) return null;
        var (_, at) = Setting(entryPath, defaultsPath, key);
        var full = Path.GetFullPath(text, Map.Of(at).Folder);
        var exists = mustBe == "directory" ? Directory.Exists(full) : File.Exists(full);
        if (!exists) Error(at, $"{Key(at)} = {text}: no such {mustBe} ({full})");
        return exists ? full : null;
    }

    private int? ReadInt(string entryPath, string defaultsPath, string key, int min, int max)
    {
        var (value, at) = Setting(entryPath, defaultsPath, key);
        var text = Scalar(value, at, "a whole number");
        if (text is null) return null;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max) return number;
        Error(at, max == int.MaxValue
            ? $"{Key(at)} = {text} is not a whole number of {min} or more"
            : $"{Key(at)} = {text} is not a whole number from {min} to {max}");
        return null;
    }

    private bool? ReadBool(string entryPath, string defaultsPath, string key)
    {
        var (value, at) = Setting(entryPath, defaultsPath, key);
        var text = Scalar(value, at, "true or false");
        switch (text?.ToLowerInvariant())
        {
            case null: return null;
            case "true" or "on": return true;
            case "false" or "off": return false;
        }
        Error(at, $"{Key(at)} = {text} is not a boolean: use true or false (or on, off)");
        return null;
    }

    private TimeSpan? ReadDuration(string entryPath, string defaultsPath, string key, bool positive = false)
    {
        var (value, at) = Setting(entryPath, defaultsPath, key);
        var text = Scalar(value, at, "a duration such as 500ms or 2s");
        if (text is null) return null;
        TimeSpan duration;
        try
        {
            duration = value!.GetTimeSpan(false);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or NotSupportedException or ConfigurationException)
        {
            Error(at, $"{Key(at)} = {text} is not a duration: write e.g. 500ms, 2s or 1m");
            return null;
        }
        if (duration < TimeSpan.Zero || (positive && duration == TimeSpan.Zero))
        {
            Error(at, $"{Key(at)} = {text} must be {(positive ? "longer than zero" : "zero or more")}");
            return null;
        }
        return duration;
    }

    private IReadOnlyList<string>? ReadList(string entryPath, string defaultsPath, string key)
    {
        var (value, at) = Setting(entryPath, defaultsPath, key);
        var kind = HoconValues.Kind(value);
        if (kind == HoconKind.Scalar)
        {
            Error(at, $"{Key(at)} is one string; give an array with one element per argument (no shell splits it), e.g. {Key(at)} = [--hz, \"15\"]");
            return null;
        }
        if (kind != HoconKind.Array)
        {
            Error(at, $"{Key(at)} must be an array, e.g. {Key(at)} = [--hz, \"15\"], not {HoconValues.Describe(value)}");
            return null;
        }
        var items = new List<string>();
        foreach (var item in HoconValues.Items(value!))
        {
            if (HoconValues.Kind(item) != HoconKind.Scalar)
            {
                Error(at, $"{Key(at)} holds {HoconValues.Describe(item)}: each element must be a single value");
                return null;
            }
            items.Add(HoconValues.Text(item));
        }
        return items;
    }

    // An object of single values: the defaults' entries, overlaid with the entry's own.
    private IReadOnlyDictionary<string, string>? ReadMap(string entryPath, string defaultsPath, string key)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in new[] { $"{defaultsPath}.{key}", $"{entryPath}.{key}" })
        {
            if (!_merged.HasPath(path)) continue;
            var value = _merged.GetValue(path);
            if (HoconValues.Kind(value) is HoconKind.Missing) continue;
            if (HoconValues.Kind(value) != HoconKind.Object)
            {
                Error(path, $"{Key(path)} must be an object of names to values, e.g. {Key(path)} {{ topic = hello }}, not {HoconValues.Describe(value)}");
                return null;
            }
            foreach (var (name, field) in HoconValues.Fields(value))
            {
                if (HoconValues.Kind(field) != HoconKind.Scalar)
                {
                    Error($"{path}.{name}", $"{Key(path)}.{name} must be a single value, not {HoconValues.Describe(field)}");
                    return null;
                }
                result[name] = HoconValues.Text(field);
            }
        }
        return result;
    }

    // ---- errors -------------------------------------------------------------------------------------------------

    private void Error(string path, string message) => Error(Map.Of(path), message);

    private void Error(SourceLocation at, string message)
    {
        var error = new LaunchFileError(at.File, at.Line, message);
        if (!_errors.Contains(error)) _errors.Add(error);
    }

    private static string Key(string path) => path[(path.LastIndexOf('.') + 1)..];

    private List<LaunchFileError> Sorted(List<LaunchFileError> errors)
    {
        // File order: the launch file first, its includes as they come; overrides last.
        var files = new List<string> { Map.Root.File };
        foreach (var e in errors) if (!files.Contains(e.File)) files.Add(e.File);
        return errors.OrderBy(e => e.Line == 0 && e.File != Map.Root.File ? 1 : 0).ThenBy(e => files.IndexOf(e.File)).ThenBy(e => e.Line).ToList();
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_-]*$")]
    private static partial Regex ValidName();

    [GeneratedRegex(@"^-?\d+$")]
    private static partial Regex IntegerLiteral();

    [GeneratedRegex(@"^-?\d+\.\d+$")]
    private static partial Regex NumberLiteral();

    [GeneratedRegex(@"^\d+(\.\d+)?\s*(ns|nanos?|nanoseconds?|us|micros?|microseconds?|ms|millis?|milliseconds?|s|seconds?|m|minutes?|h|hours?|d|days?)$")]
    private static partial Regex DurationLiteral();

    [GeneratedRegex(@"^\d+\s*([kKmMgGtT]i?[bB]?|[bB]|bytes?|[kKmMgGtT]ibibytes?|[kKmMgGtT]ilobytes?)$")]
    private static partial Regex SizeLiteral();
}
