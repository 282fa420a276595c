namespace MlNetTransfer.Tests.Support;

/// <summary>
/// The library and the tool packed (Release) into a folder feed once per test run, under a version of this run's
/// own, so that NuGet's package cache never serves an older build of the same number. Deleted when the run ends.
/// </summary>
public static class LocalFeed
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "mlnt-tests", "feed-" + Guid.NewGuid().ToString("N")[..12]);
    private static readonly Lazy<string> LibraryPackage = new(() => Pack("MlNetTransfer", "MlNetTransfer"));
    private static readonly Lazy<string> ToolPackage = new(() => Pack("MlNetTransfer.Cli", "MlNetTransfer.Tool"));

    static LocalFeed() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    };

    public static string Version { get; } = $"0.0.1-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    /// <summary>
    /// Held by every build that restores this run's packages, and by the test that deletes the library's restored copy
    /// from NuGet's package folder (to show that a build finds it in codegen's feed): tests run in parallel, and a
    /// build that restored the copy failed when it vanished before the build copied it ("Could not copy the file").
    /// </summary>
    public static readonly Lock RestoreLock = new();

    /// <summary>The feed folder, holding the library package.</summary>
    public static string Folder => Path.GetDirectoryName(LibraryPackage.Value)!;

    /// <summary>The library package's path (packed on first use).</summary>
    public static string Library => LibraryPackage.Value;

    /// <summary>The tool package's path (packed on first use).</summary>
    public static string Tool => ToolPackage.Value;

    /// <summary>Writes a nuget.config into <paramref name="folder"/> that adds the feed to the machine's sources.</summary>
    public static void AddTo(string folder) => File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="mlnettransfer-local" value="{Folder}" />
          </packageSources>
        </configuration>
        """);

    private static string Pack(string project, string packageId)
    {
        string folder = Path.Combine(Root, "packages");
        var pack = ProcessRunner.Run("dotnet", ["pack", Path.Combine(RepoPaths.Root, "src", project), "-c", "Release", "-o", folder, $"-p:Version={Version}", "--nologo"]);
        if (pack.ExitCode != 0) throw new InvalidOperationException($"dotnet pack {project} failed: {pack.Output}{pack.Error}");
        return Path.Combine(folder, $"{packageId}.{Version}.nupkg");
    }
}
