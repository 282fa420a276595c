using System.Runtime.InteropServices;

namespace MlNetTransfer.Cli;

/// <summary>
/// glibc's allocator raises its mmap threshold each time a large block is freed, up to 32 MB, after which the
/// decoder's multi-megabyte photo buffers come from its heaps and are not handed back to the system: the CLI's
/// peak memory grew with the number of photos (980 MB at 5,000 against 850 MB at 400). Fixed thresholds keep it
/// flat. The mmap threshold is 8 MB: every decoded image up to a shrunk camera photo (shorter side under 1,024 px:
/// 8.4 MB at 2:1) is reused from the heap instead of being mapped, zeroed and unmapped for each photo, and the heap is
/// trimmed only past 64 MB. Measured against the 128 KB mmap threshold used before: extracting 1,224 camera photos
/// 47.4 s and a flat 648 MB peak (649 MB at 612 photos) against 52.7 s and 588 MB; an int8 train on ants/bees took
/// half the page faults (0.34-0.36 M against 0.63-0.68 M) and 8 % less extraction time. Without fixed thresholds:
/// 875 MB at 612 photos. Set by the CLI only; a library does not change its host's allocator. No-op where the C
/// library is not glibc.
/// </summary>
internal static partial class GlibcMalloc
{
    private const int TrimThresholdParameter = -1; // M_TRIM_THRESHOLD
    private const int MmapThresholdParameter = -3; // M_MMAP_THRESHOLD

    public static void FixThresholds(int mmapBytes = 8 << 20, int trimBytes = 64 << 20)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            MallOpt(MmapThresholdParameter, mmapBytes);
            MallOpt(TrimThresholdParameter, trimBytes);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);
}
