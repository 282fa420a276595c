namespace MlNetTransfer.Backbones.Int8;

/// <summary>
/// Whether int8 weights must keep 7 bits here. On x86 without VNNI, ONNX Runtime multiplies uint8 activations by int8
/// weights in pairs summed into 16 bits (VPMADDUBSW), which can saturate; VNNI (AVX-512 VNNI or AVX-VNNI) sums in 32
/// bits, and other processors (ARM64) have no such instruction to fear.
/// </summary>
internal static class ProcessorSupport
{
    /// <summary>An x86 processor with AVX-512 VNNI or AVX-VNNI: where int8 was measured (and <see cref="Precision.Auto"/> takes it).</summary>
    public static bool HasVnni { get; } = System.Runtime.Intrinsics.X86.X86Base.IsSupported && DetectVnni();

    public static bool NeedsReducedRange => System.Runtime.Intrinsics.X86.X86Base.IsSupported && !HasVnni;

    private static bool DetectVnni()
    {
        if (System.Runtime.Intrinsics.X86.AvxVnni.IsSupported) return true;
        // .NET exposes AVX-512 VNNI through no intrinsic class of its own; Linux names it in /proc/cpuinfo. Elsewhere a
        // processor with AVX-512 VNNI but not AVX-VNNI (Ice Lake, Cascade Lake servers) keeps 7 bits, the safe side.
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
