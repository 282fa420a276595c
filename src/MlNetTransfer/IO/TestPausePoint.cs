namespace MlNetTransfer.IO;

/// <summary>
/// Places where an interruption test (tests/scripts/kill-resume.sh) can stop a process on purpose, so that its kill
/// provably lands there rather than at a guessed moment. Compiled in only by the TestHooks build configuration (which
/// defines MLNETTRANSFER_TEST_HOOKS; the script builds the CLI so): in any other build, Debug and the Release that is
/// packed included, the calls to <see cref="Reach"/> are left out by the compiler and nothing reads the environment.
/// In a TestHooks build it is off unless MLNETTRANSFER_TEST_PAUSE names a point (for example
/// "atomic-write:model.zip" or "cached-batch:3"); when reached, the process creates the file named by
/// MLNETTRANSFER_TEST_PAUSE_SIGNAL and waits to be killed.
/// </summary>
internal static class TestPausePoint
{
    /// <summary>Inside <see cref="AtomicFile.Write(string, Action{Stream}, bool)"/>: the content is in the temporary file, not yet renamed. Argument: the file name.</summary>
    public const string DuringAtomicWrite = "atomic-write";

    /// <summary>After a batch of features is in the cache. Argument: the number of batches cached so far in this extraction.</summary>
    public const string AfterCachedBatch = "cached-batch";

    [System.Diagnostics.Conditional("MLNETTRANSFER_TEST_HOOKS")]
    public static void Reach(string point, string argument)
    {
#if MLNETTRANSFER_TEST_HOOKS
        if (Configured is null || Configured != $"{point}:{argument}") return;
        string? signal = Environment.GetEnvironmentVariable("MLNETTRANSFER_TEST_PAUSE_SIGNAL");
        if (signal is not null) File.WriteAllText(signal, Environment.ProcessId.ToString());
        Thread.Sleep(Timeout.Infinite);
#endif
    }

#if MLNETTRANSFER_TEST_HOOKS
    private static readonly string? Configured = Environment.GetEnvironmentVariable("MLNETTRANSFER_TEST_PAUSE");
#endif
}
