using MlNetTransfer.Training;

namespace MlNetTransfer.Tests.Training;

/// <summary>Gaussian clusters, one per class, with an optional share of flipped labels.</summary>
internal static class SyntheticFeatures
{
    public static FeatureSet Clusters(int perClass, int classes, int dimension, double spread, int seed, double labelNoise = 0)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, classes).Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        var features = new List<float[]>();
        var labels = new List<int>();
        for (int c = 0; c < classes; c++)
            for (int i = 0; i < perClass; i++)
            {
                features.Add(centres[c].Select(v => v + (float)(Gaussian(random) * spread)).ToArray());
                labels.Add(random.NextDouble() < labelNoise ? (c + 1 + random.Next(classes - 1)) % classes : c);
            }
        return new FeatureSet(features, labels);
    }

    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
