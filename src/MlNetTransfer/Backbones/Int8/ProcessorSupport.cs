namespace MlNetTransfer.Backbones.Int8;

/// <summary>Whether this processor multiplies 8-bit integers with VNNI (AVX-512 VNNI or AVX-VNNI), where int8 products cannot saturate.</summary>
internal static class ProcessorSupport
{
    public static bool HasVnni { get; } = Detect();

    private static bool Detect()
    {
        if (System.Runtime.Intrinsics.X86.AvxVnni.IsSupported) return true;
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return File.ReadLines("/proc/cpuinfo").Where(l => l.StartsWith("flags", StringComparison.Ordinal))
                .Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("avx512_vnni"));
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
