using System.Runtime.InteropServices;

namespace MlNetTransfer.Cli;

/// <summary>
/// glibc's allocator raises its mmap threshold each time a large block is freed, up to 32 MB, after which the
/// decoder's multi-megabyte photo buffers come from its heaps and are not handed back to the system: the CLI's
/// peak memory grew with the number of photos (980 MB at 5,000 against 850 MB at 400). Fixed thresholds keep it
/// flat. The mmap threshold is 8 MB: every decoded image up to a shrunk camera photo (shorter side under 1,024 px:
/// 8,372,232 bytes at 2:1, just under 8 MiB) is reused from the heap instead of being mapped, zeroed and unmapped for
/// each photo; the trim threshold, 16 MB, twice the largest such buffer, bounds what each of glibc's arenas (one per
/// decoding thread) keeps free. Measured against the 128 KB mmap threshold used before: extracting 1,224 camera photos
/// 49.3-50.0 s at a 637-641 MB peak against 52.7 s and 588 MB (a 64 MB trim threshold: 47.1-47.4 s, 648-671 MB, more
/// per arena on many cores); an int8 train on ants/bees took half the page faults (0.35 M against 0.63-0.68 M).
/// Without fixed thresholds: 875 MB at 612 photos. Set by the CLI only; a library does not change its host's
/// allocator. No-op where the C library is not glibc (musl has no mallopt).
/// </summary>
internal static partial class GlibcMalloc
{
    private const int TrimThresholdParameter = -1; // M_TRIM_THRESHOLD
    private const int MmapThresholdParameter = -3; // M_MMAP_THRESHOLD

    public static void FixThresholds(int mmapBytes = 8 << 20, int trimBytes = 16 << 20)
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
