using System.Diagnostics;
using MlNetTransfer.Training;

namespace MlNetTransfer.Benchmarks;

/// <summary>
/// (d') The yardstick for head training: the default head trained for 30 epochs on 10,000 × 512 synthetic
/// features of 10 classes (2,500 more for validation, the default 80/20 split of 12,500), no early stopping.
/// </summary>
public sealed class HeadTrainingBenchmark
{
    private readonly FeatureSet _train = SyntheticSet(10_000, 512, 10, seed: 7);
    private readonly FeatureSet _validation = SyntheticSet(2_500, 512, 10, seed: 8);

    /// <summary>Seconds of one training run.</summary>
    public double Seconds()
    {
        var clock = Stopwatch.StartNew();
        HeadTrainer.Train(_train, _validation, 10, new TrainingOptions { Epochs = 30, Patience = 0 });
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Uniform noise in [0, 1) with 0.3 added to every tenth feature of the sample's class: learnable, not trivially.</summary>
    public static FeatureSet SyntheticSet(int count, int dimension, int classes, int seed)
    {
        var random = new SeededRandom(seed);
        var features = new List<float[]>(count);
        var labels = new List<int>(count);
        for (int i = 0; i < count; i++)
        {
            int label = i % classes;
            features.Add(Enumerable.Range(0, dimension).Select(k => random.NextFloat() + (k % classes == label ? 0.3f : 0f)).ToArray());
            labels.Add(label);
        }
        return new FeatureSet(features, labels);
    }
}
