using System.Reflection;
using System.Runtime.Loader;
using Gecko.Actors.Nodes;

namespace Gecko.Launch.LaunchFiles.Internal;

/// <summary>Finds the <see cref="GeckoNode"/> type a launch file names, in this program or in an assembly loaded by path.</summary>
internal static class NodeTypes
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, Assembly> LoadedByPath = new(StringComparer.Ordinal);

    /// <summary>
    /// The node type <paramref name="typeName"/> (<c>Namespace.Type</c> or <c>Namespace.Type, Assembly</c>), looked up in
    /// <paramref name="assemblyPath"/> when given, else in this program and the assemblies it can load by name.
    /// </summary>
    /// <returns>The type, or null and what is wrong.</returns>
    public static (Type? Type, string? Error) Resolve(string typeName, string? assemblyPath)
    {
        var comma = typeName.IndexOf(',');
        var fullName = (comma < 0 ? typeName : typeName[..comma]).Trim();
        var assemblyName = comma < 0 ? null : typeName[(comma + 1)..].Trim();
        Type? type;
        IEnumerable<Assembly> searched;
        if (assemblyPath is not null)
        {
            var (assembly, error) = Load(assemblyPath);
            if (assembly is null) return (null, error);
            type = assembly.GetType(fullName, throwOnError: false);
            searched = [assembly];
        }
        else if (assemblyName is not null)
        {
            Assembly assembly;
            try
            {
                assembly = Assembly.Load(new AssemblyName(assemblyName));
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException or ArgumentException)
            {
                return (null, $"assembly '{assemblyName}' of type '{typeName}' cannot be loaded ({e.Message.TrimEnd('.')}): "
                    + "give its file with assembly = \"path/to/Assembly.dll\", or its project with project = \"path/to/Project.csproj\"");
            }
            type = assembly.GetType(fullName, throwOnError: false);
            searched = [assembly];
        }
        else
        {
            searched = AssemblyLoadContext.Default.Assemblies.Where(a => !a.IsDynamic).ToList();
            type = searched.Select(a => a.GetType(fullName, throwOnError: false)).FirstOrDefault(t => t is not null);
        }

        if (type is null)
        {
            var candidates = NodeTypesIn(searched).ToList();
            var simple = fullName[(fullName.LastIndexOf('.') + 1)..];
            var sameName = candidates.FirstOrDefault(t => t.Name == simple);
            var hint = sameName is not null
                ? $" (did you mean '{Describe(sameName)}'?)"
                : ClosestName.Find(fullName, candidates.Select(t => t.FullName!)) is { } close
                    ? $" (did you mean '{Describe(candidates.First(t => t.FullName == close))}'?)"
                    : "";
            var where = assemblyPath is not null ? $"in {assemblyPath}" : assemblyName is not null ? $"in assembly '{assemblyName}'" : "in the gecko program";
            return (null, $"type '{fullName}' not found {where}{hint}");
        }
        if (!typeof(GeckoNode).IsAssignableFrom(type))
            return (null, $"type '{type.FullName}' is not a GeckoNode: a node type derives from Gecko.Actors.Nodes.GeckoNode");
        if (type.IsAbstract)
            return (null, $"type '{type.FullName}' is abstract: name a concrete node type");
        try
        {
            NodeHost.NodeProps(type, NodeArguments.Empty);
        }
        catch (ArgumentException e)
        {
            return (null, e.Message.Split(" (Parameter")[0]);
        }
        return (type, null);
    }

    /// <summary>Loads the assembly at <paramref name="path"/> (once per path), its dependencies from its folder.</summary>
    public static (Assembly? Assembly, string? Error) Load(string path)
    {
        if (!File.Exists(path)) return (null, $"assembly {path} does not exist");
        lock (Gate)
        {
            if (LoadedByPath.TryGetValue(path, out var loaded)) return (loaded, null);
            try
            {
                var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
                var resolver = new AssemblyDependencyResolver(path);
                AssemblyLoadContext.Default.Resolving += (context, name) =>
                    resolver.ResolveAssemblyToPath(name) is { } dependency ? context.LoadFromAssemblyPath(dependency) : null;
                LoadedByPath[path] = assembly;
                return (assembly, null);
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException or InvalidOperationException)
            {
                return (null, $"assembly {path} cannot be loaded: {e.Message}");
            }
        }
    }

    private static IEnumerable<Type> NodeTypesIn(IEnumerable<Assembly> assemblies)
    {
        foreach (var assembly in assemblies)
        {
            Type?[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException e)
            {
                types = e.Types;
            }
            foreach (var type in types)
                if (type is { IsAbstract: false } && typeof(GeckoNode).IsAssignableFrom(type))
                    yield return type;
        }
    }

    private static string Describe(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
