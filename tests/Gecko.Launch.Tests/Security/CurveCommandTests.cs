using System.Text.RegularExpressions;
using Gecko.Testing;
using Xunit;

namespace Gecko.Launch.Tests.Security;

/// <summary>
/// CURVE as a user sets it up: <c>gecko keys generate</c> for the hub and each node, <c>gecko core</c> with the hub's
/// secret key and a folder of allowed node keys, and the standalone example nodes given their keys in the environment.
/// </summary>
public sealed partial class CurveCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempFolder _temp = new("gecko-curve-cli-");

    public void Dispose() => _temp.Dispose();

    [GeneratedRegex(@"^GeckoCore started: in (?<in>\S+)\s+out (?<out>\S+)\s+key \S+\s+\((?<reach>[^;]+);")]
    private static partial Regex StartLine();

    private async Task<string> GenerateAsync(string name, string folder)
    {
        using var keys = ChildProcess.Gecko(["keys", "generate", "--name", name, "--out", folder]);
        var (exit, lines) = await keys.RunToEndAsync(Timeout);
        Assert.True(exit == 0, string.Join('\n', lines));
        return lines[0]["public key  ".Length..];
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task KeysGenerate_WritesThePairPrintsThePublicKeyAndNeverOverwrites()
    {
        var publicKey = await GenerateAsync("hub", _temp.Path);

        Assert.Equal(40, publicKey.Length);
        Assert.Contains(publicKey, await File.ReadAllTextAsync(_temp.Combine("hub.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_temp.Combine("hub.key_secret")));
        using var again = ChildProcess.Gecko(["keys", "generate", "--name", "hub", "--out", _temp.Path]);
        var (exit, lines) = await again.RunToEndAsync(Timeout);
        Assert.Equal(2, exit);
        Assert.Contains(lines, l => l.StartsWith("stderr: gecko keys generate:", StringComparison.Ordinal) && l.Contains("never overwritten", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Core_WithCurve_CarriesStandaloneNodesWhoseKeysAreAllowed()
    {
        await GenerateAsync("hub", _temp.Combine("keys"));
        await GenerateAsync("talker", _temp.Combine("nodes"));
        await GenerateAsync("listener", _temp.Combine("nodes"));
        using var core = ChildProcess.Gecko(
            ["core", "--in", "tcp://127.0.0.1:0", "--out", "tcp://127.0.0.1:0", "--key", $"test-{Guid.NewGuid():N}", "--quiet",
             "--curve-secret-key", _temp.Combine("keys", "hub.key_secret"), "--curve-allow", _temp.Combine("nodes")],
            new Dictionary<string, string> { ["TMPDIR"] = _temp.Path });
        var started = StartLine().Match(await core.WaitForLineAsync(l => l.StartsWith("GeckoCore started:", StringComparison.Ordinal), Timeout));
        Assert.True(started.Success, core.Transcript);
        Assert.Equal("loopback only, CURVE: allowed keys only", started.Groups["reach"].Value);

        Dictionary<string, string> Node(string name) => new()
        {
            ["TMPDIR"] = _temp.Path,
            ["GECKO_CORE_IN"] = started.Groups["in"].Value,
            ["GECKO_CORE_OUT"] = started.Groups["out"].Value,
            ["GECKO_CURVE_SERVER_KEY"] = _temp.Combine("keys", "hub.key"),
            ["GECKO_CURVE_SECRET_KEY_FILE"] = _temp.Combine("nodes", name + ".key_secret"),
        };
        using var listener = ChildProcess.Dotnet("Gecko.Examples.Standalone.dll", ["listener", "--topic", "secret"], Node("listener"));
        await listener.WaitForLineAsync(l => l.StartsWith("listener ready", StringComparison.Ordinal), Timeout);
        using var talker = ChildProcess.Dotnet("Gecko.Examples.Standalone.dll", ["talker", "--topic", "secret", "--hz", "20"], Node("talker"));

        var received = await listener.TryWaitForLineAsync(l => l.StartsWith("imu ", StringComparison.Ordinal), Timeout);
        if (received is null)
        {
            talker.Signal(15);
            core.Signal(15);
            var (_, talkerLines) = await talker.WaitForExitWithOutputAsync(Timeout);
            var (_, coreLines) = await core.WaitForExitWithOutputAsync(Timeout);
            Assert.Fail($"listener:\n{listener.Transcript}\ntalker:\n{string.Join('\n', talkerLines)}\nhub:\n{string.Join('\n', coreLines)}");
        }
    }

    [Fact]
    public async Task Core_CurveKeyFileMissing_SaysSoAndExits2()
    {
        using var core = ChildProcess.Gecko(
            ["core", "--in", "tcp://127.0.0.1:0", "--out", "tcp://127.0.0.1:0", "--key", $"test-{Guid.NewGuid():N}",
             "--curve-secret-key", _temp.Combine("nope.key_secret"), "--curve-allow-any"],
            new Dictionary<string, string> { ["TMPDIR"] = _temp.Path });
        var (exit, lines) = await core.RunToEndAsync(Timeout);

        Assert.Equal(2, exit);
        Assert.Contains(lines, l => l.StartsWith("stderr: gecko core: Cannot read the key file", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("GeckoCore started", StringComparison.Ordinal));
    }
}
