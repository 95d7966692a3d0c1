using Gecko.Core.Bridge.Security;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests.Bridge.Security;

public sealed class CurveKeyFilesTests : IDisposable
{
    private readonly TempFolder _folder = new("gecko-keys-test-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Generate_WritesAPublicFileAndASecretFileOnlyItsOwnerCanRead()
    {
        var pair = CurveKeyFiles.Generate(_folder.Path, "node");

        var secret = _folder.Combine("node.key_secret");
        var publicFile = _folder.Combine("node.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(publicFile));
        Assert.Contains($"public-key = \"{pair.PublicKeyZ85}\"", File.ReadAllText(publicFile));
        Assert.DoesNotContain("secret-key", File.ReadAllText(publicFile));
        Assert.Equal(pair.SecretKey, CurveKeyFiles.ReadSecret(secret).SecretKey);
        Assert.Equal(pair.PublicKey, CurveKeyFiles.ReadPublic(publicFile));
        Assert.Equal(pair.PublicKey, CurveKeyFiles.ReadPublic(secret));
        Assert.Equal(pair.PublicKey, CurveKeyFiles.ReadPublic(pair.PublicKeyZ85));
    }

    [Fact]
    public void ReadPublic_PathThatLooksLikeAKey_IsReadAsTheFile()
    {
        // 40 characters, all in Z85's alphabet: a path a user may well have.
        var folder = _folder.Combine("k");
        var path = Path.Combine(folder, new string('a', 40 - folder.Length - 5) + ".key");
        Assert.True(path.Length == 40 && CurveKeyFiles.IsZ85Key(path), path);
        var pair = CurveKeyFiles.Generate(folder, Path.GetFileNameWithoutExtension(path));

        Assert.Equal(pair.PublicKey, CurveKeyFiles.ReadPublic(path));
    }

    [Fact]
    public void Generate_ExistingName_IsRefusedAndTheOldKeysStay()
    {
        var first = CurveKeyFiles.Generate(_folder.Path, "hub");

        var error = Assert.Throws<IOException>(() => CurveKeyFiles.Generate(_folder.Path, "hub"));

        Assert.Contains("never overwritten", error.Message);
        Assert.Equal(first.SecretKey, CurveKeyFiles.ReadSecret(_folder.Combine("hub.key_secret")).SecretKey);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    public void Generate_NameWithSlashes_IsRefused(string name) =>
        Assert.Throws<ArgumentException>(() => CurveKeyFiles.Generate(_folder.Path, name));

    [Fact]
    public void ReadSecret_PublicFileOrGarbage_SaysWhatIsWrong()
    {
        CurveKeyFiles.Generate(_folder.Path, "node");
        var garbage = _folder.Write("garbage.key_secret", "metadata\ncurve\n    secret-key = \"not a key\"\n");

        Assert.Contains("holds no secret-key", Assert.Throws<GeckoConfigurationException>(() => CurveKeyFiles.ReadSecret(_folder.Combine("node.key"))).Message);
        Assert.Contains("not a 40-character Z85 key", Assert.Throws<GeckoConfigurationException>(() => CurveKeyFiles.ReadSecret(garbage)).Message);
        Assert.Contains("Cannot read", Assert.Throws<GeckoConfigurationException>(() => CurveKeyFiles.ReadSecret(_folder.Combine("missing"))).Message);
    }
}
