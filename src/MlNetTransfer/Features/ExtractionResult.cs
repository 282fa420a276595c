using MlNetTransfer.Data;

namespace MlNetTransfer.Features;

/// <summary>Features of every usable image, and the images that were not usable.</summary>
internal sealed class ExtractionResult
{
    /// <summary>Features by image path; skipped images are absent.</summary>
    public required IReadOnlyDictionary<string, float[]> Features { get; init; }
    public required IReadOnlyList<SkippedImage> Skipped { get; init; }
    /// <summary>Images asked for (unique paths).</summary>
    public required int Images { get; init; }
    public required int FromCache { get; init; }
    /// <summary>Images that went through the network.</summary>
    public required int Extracted { get; init; }
    public required double Seconds { get; init; }
    /// <summary>Cache entries found corrupt and recomputed.</summary>
    public int CorruptCacheEntries { get; init; }

    /// <summary>Both extractions as one; an image in both keeps <paramref name="b"/>'s result.</summary>
    public static ExtractionResult Combine(ExtractionResult a, ExtractionResult b) => new()
    {
        Features = a.Features.Concat(b.Features).GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal),
        Skipped = a.Skipped.Concat(b.Skipped).DistinctBy(s => s.Path).OrderBy(s => s.Path, StringComparer.Ordinal).ToList(),
        Images = a.Images + b.Images,
        FromCache = a.FromCache + b.FromCache,
        Extracted = a.Extracted + b.Extracted,
        Seconds = a.Seconds + b.Seconds,
        CorruptCacheEntries = a.CorruptCacheEntries + b.CorruptCacheEntries,
    };
}
