using System.Runtime.CompilerServices;

namespace MlNetTransfer.Tests.Support;

/// <summary>
/// Code that uses the default feature cache (the estimator without a workspace, generated and ported apps) uses a
/// folder of this test run's own, never the machine's ~/.cache/mlnettransfer: MLNETTRANSFER_CACHE is set before any
/// test runs, and child processes inherit it.
/// </summary>
internal static class TestCache
{
    public static string Folder { get; } = Path.Combine(Path.GetTempPath(), "mlnt-tests", "default-cache-" + Guid.NewGuid().ToString("N")[..12]);

    [ModuleInitializer]
    internal static void UseAFolderOfThisRun()
    {
        Environment.SetEnvironmentVariable("MLNETTRANSFER_CACHE", Folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
    }
}
