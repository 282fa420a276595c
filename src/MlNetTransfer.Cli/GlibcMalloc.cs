using System.Runtime.InteropServices;

namespace MlNetTransfer.Cli;

/// <summary>
/// glibc's allocator raises its mmap threshold each time a large block is freed, up to 32 MB, after which the
/// decoder's multi-megabyte photo buffers come from its heaps and are not handed back to the system: the CLI's
/// peak memory grew with the number of photos (980 MB at 5,000 against 850 MB at 400). A fixed threshold keeps
/// large buffers mapped and unmapped: 784 MB at 5,000, measured. Set by the CLI only; a library does not change
/// its host's allocator. No-op where the C library is not glibc.
/// </summary>
internal static partial class GlibcMalloc
{
    private const int MmapThresholdParameter = -3; // M_MMAP_THRESHOLD

    public static void FixMmapThreshold(int bytes = 128 * 1024)
    {
        if (!OperatingSystem.IsLinux()) return;
        try { MallOpt(MmapThresholdParameter, bytes); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);
}
