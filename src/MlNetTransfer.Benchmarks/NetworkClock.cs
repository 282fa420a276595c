using System.Diagnostics;
using MlNetTransfer.Features;

namespace MlNetTransfer.Benchmarks;

/// <summary>The measurements both benches take: the raw network's speed, and percentiles of timings.</summary>
internal static class NetworkClock
{
    /// <summary>Images per second of <paramref name="network"/> alone, on pre-made tensors, in batches of <paramref name="batchSize"/>.</summary>
    public static double RawImagesPerSecond(FeatureNetwork network, int images, int batchSize = 16)
    {
        var pixels = new float[batchSize * network.PixelLength];
        var random = new Random(1);
        for (int i = 0; i < pixels.Length; i++) pixels[i] = random.Next(256);
        var features = new float[batchSize * network.OutputSize];
        var clock = Stopwatch.StartNew();
        for (int done = 0; done < images; done += batchSize)
            network.Run(pixels, Math.Min(batchSize, images - done), features);
        return images / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The value at share <paramref name="p"/> of <paramref name="values"/> in order (nearest rank, from below).</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
    }
}
