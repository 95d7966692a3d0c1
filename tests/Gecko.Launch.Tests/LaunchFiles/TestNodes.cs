using System.Reflection;
using Gecko.Testing;

namespace Gecko.Launch.Tests.LaunchFiles;

/// <summary>tests/Gecko.Launch.TestNodes: built with the tests, loaded only by path or project, as a user's node assembly.</summary>
internal static class TestNodes
{
    public static string ProjectPath => Repository.Path("tests", "Gecko.Launch.TestNodes", "Gecko.Launch.TestNodes.csproj");

    /// <summary>Its assembly in the output of the same configuration and framework as this test assembly.</summary>
    public static string AssemblyPath
    {
        get
        {
            var configuration = typeof(TestNodes).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var framework = new DirectoryInfo(AppContext.BaseDirectory).Name;
            return Repository.Path("tests", "Gecko.Launch.TestNodes", "bin", configuration, framework, "Gecko.Launch.TestNodes.dll");
        }
    }
}
