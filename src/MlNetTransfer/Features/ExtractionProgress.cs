namespace MlNetTransfer.Features;

/// <summary>Where a feature extraction stands: images done (from the cache, through the network, or skipped) of the total.</summary>
public sealed record ExtractionProgress(int Done, int Total, int FromCache, int Extracted, int Skipped, TimeSpan Elapsed)
{
    /// <summary>Images per second through the network (cache hits excluded).</summary>
    public double ExtractedPerSecond => Elapsed.TotalSeconds > 0 ? Extracted / Elapsed.TotalSeconds : 0;
}
