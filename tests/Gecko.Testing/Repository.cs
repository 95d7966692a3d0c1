namespace Gecko.Testing;

/// <summary>Files of the repository the tests were built from (launch files, examples), found from the test's output folder.</summary>
public static class Repository
{
    private static readonly Lazy<string> RootFolder = new(() =>
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Gecko.sln"))) return folder.FullName;
        throw new InvalidOperationException($"No Gecko.sln above {AppContext.BaseDirectory}: the tests must run from the repository's build output.");
    });

    /// <summary>The repository's root folder (where Gecko.sln is).</summary>
    public static string Root => RootFolder.Value;

    /// <summary>A path inside the repository, e.g. <c>Repository.Path("hocon", "demo.conf")</c>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}
