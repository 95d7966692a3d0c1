using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Packaging;

/// <summary>Runs alone: packing reads the gecko project's build output, which no concurrent build may be writing.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackagingCollection
{
    public const string Name = "packaging";
}

/// <summary>
/// <c>gecko</c> as a .NET tool: the project packs (from the build the tests run on, no second build), the package installs
/// into a tool path from a local source only, and the installed command runs with its embedded configuration.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class GeckoToolPackageTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly TempFolder _folder = new("gecko-pack-test-");

    /// <summary>Debug or Release: the configuration these tests were built in, which the package is made from.</summary>
    private static string Configuration =>
        AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar).SkipWhile(p => p != "bin").Skip(1).First();

    [Fact]
    public async Task PackedTool_InstallsIntoAToolPath_AndGeckoVersionRuns()
    {
        var packages = _folder.Combine("packages");
        var (packExit, packLines) = await RunAsync("dotnet", "pack", Repository.Path("Gecko.Launch", "Gecko.Launch.csproj"), "-c", Configuration,
            "--no-build", "-nologo", "-o", packages, $"-p:PublishDir={_folder.Combine("publish")}{Path.DirectorySeparatorChar}");
        Assert.True(packExit == 0, string.Join('\n', packLines));
        var package = Assert.Single(Directory.GetFiles(packages, "Gecko.Tool.*.nupkg"));
        using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("tools/net10.0/any/gecko.dll", entries);
            Assert.Contains("tools/net10.0/any/python/gecko_pygecko_bootstrap.py", entries);
            Assert.Contains("README.md", entries);
        }

        // Only the local folder as a source: the install works offline and takes nothing from elsewhere.
        var config = _folder.Write("nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="gecko-local" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        var tools = _folder.Combine("tools");
        var (installExit, installLines) = await RunAsync("dotnet", "tool", "install", "Gecko.Tool", "--tool-path", tools, "--configfile", config);
        Assert.True(installExit == 0, string.Join('\n', installLines));

        var gecko = Path.Combine(tools, "gecko");
        var (versionExit, versionLines) = await RunAsync(gecko, "--version");
        Assert.Equal(0, versionExit);
        Assert.StartsWith("0.1.0", Assert.Single(versionLines));

        // The embedded reference.conf is read (the defaults below come from it), and the tools are there.
        var (findExit, findLines) = await RunAsync(gecko, "find", $"nobody-{Guid.NewGuid():N}", "--core-dir", _folder.Path, "--timeout", "0.1", "--interface", "lo");
        Assert.Equal(1, findExit);
        Assert.Contains("stderr: gecko find: no hub found.", findLines);
        var (helpExit, helpLines) = await RunAsync(gecko, "topic", "--help");
        Assert.Equal(0, helpExit);
        Assert.Contains(helpLines, l => l.TrimStart().StartsWith("hz ", StringComparison.Ordinal));
    }

    private static async Task<(int ExitCode, IReadOnlyList<string> Lines)> RunAsync(string program, params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["GECKO_CORE_IN"] = "",
            ["GECKO_CORE_OUT"] = "",
            ["GECKO_CORE_KEY"] = "",
        };
        using var process = ChildProcess.Program(program, args, environment);
        return await process.RunToEndAsync(Timeout);
    }

    public void Dispose() => _folder.Dispose();
}
