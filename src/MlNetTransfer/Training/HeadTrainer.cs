using System.Runtime.CompilerServices;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace MlNetTransfer.Training;

/// <summary>
/// Trains the classifier head on feature vectors with mini-batch SGD (momentum, PyTorch's update rule), validates
/// after every epoch, stops early when the monitored metric stalls, and returns the best epoch's weights.
/// Single-threaded and seeded: the same inputs give the same weights on any machine.
/// </summary>
internal static class HeadTrainer
{
    /// <summary>Trains a head for <paramref name="classCount"/> classes.</summary>
    /// <param name="onEpoch">Called after every epoch with its metrics.</param>
    /// <param name="rules">The learning-rate schedule and stop rule; null: those <paramref name="options"/> describe.
    /// A stop rule decides when to stop; <paramref name="options"/>' monitored metric still picks the best epoch.</param>
    /// <exception cref="ArgumentException">Empty sets, mismatched dimensions or labels out of range.</exception>
    /// <exception cref="MlNetTransferException">Options out of range, or a training that diverged.</exception>
    public static TrainingResult Train(FeatureSet train, FeatureSet validation, int classCount, TrainingOptions options,
        Action<EpochMetrics>? onEpoch = null, CancellationToken cancel = default, TrainingRules? rules = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("The training set is empty.", nameof(train));
        if (validation.Count == 0) throw new ArgumentException("The validation set is empty.", nameof(validation));
        if (validation.Dimension != train.Dimension) throw new ArgumentException("Training and validation features differ in length.", nameof(validation));
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "At least 2 classes are needed.");
        if (train.Labels.Concat(validation.Labels).Any(l => l < 0 || l >= classCount))
            throw new ArgumentException($"A label is outside 0..{classCount - 1}.", nameof(train));

        var random = new SeededRandom(options.Seed);
        var weights = Initialize(train, classCount, options, random);
        var trainX = Scaled(train, weights);
        var validationX = Scaled(validation, weights);
        int d = train.Dimension, batchSize = Math.Min(options.BatchSize, train.Count);
        var network = new HeadNetwork(weights, options.Dropout, Math.Max(batchSize, EvalChunk), options.Threads);
        var parameters = network.Working.Concat(weights.Layers.Select(l => l.Bias)).ToArray();
        var gradients = network.GradW.Concat(network.GradB).ToArray();
        var optimizer = new Optimizer(options, parameters);
        var classWeights = options.Balance ? BalancedClassWeights(train.Labels, classCount) : null;
        var batchWeights = new float[batchSize];
        rules ??= TrainingRules.Of(options);
        float rate = options.LearningRate;
        var order = Enumerable.Range(0, train.Count).ToArray();
        var batchX = new float[batchSize * d];
        var batchY = new int[batchSize];
        var stopping = new EarlyStopping(options.Monitor, options.Patience, options.MinDelta);
        var epochs = new List<EpochMetrics>();
        HeadWeights best = weights.Clone();
        bool stoppedEarly = false;

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            random.Shuffle(order);
            double lossSum = 0;
            int correct = 0, batchesPerEpoch = (order.Length + batchSize - 1) / batchSize;
            for (int start = 0; start < order.Length; start += batchSize)
            {
                int rows = Math.Min(batchSize, order.Length - start);
                // Whole batches per epoch, as ML.NET's schedulers count them (the partial last batch shares the next step).
                rate = rules.Schedule.RateAt(epoch - 1, start / batchSize, Math.Max(1, order.Length / batchSize));
                for (int r = 0; r < rows; r++)
                {
                    int i = order[start + r];
                    trainX.AsSpan(i * d, d).CopyTo(batchX.AsSpan(r * d));
                    batchY[r] = train.Labels[i];
                    if (classWeights is not null) batchWeights[r] = classWeights[batchY[r]];
                }
                var logProbs = network.Forward(batchX, rows, training: true, random);
                Tally(logProbs, batchY, rows, classCount, ref lossSum, ref correct);
                network.Backward(batchY, rows, dropoutWasApplied: true, classWeights is null ? default : batchWeights.AsSpan(0, rows), options.LabelSmoothing);
                optimizer.Step(parameters, gradients, rate);
            }
            var (valLoss, valAccuracy) = Evaluate(network, validationX, validation.Labels, d, classCount);
            bool isBest = stopping.Record(epoch, valLoss, valAccuracy);
            if (isBest)
            {
                network.CopyWeightsBack();
                best = weights.Clone();
            }
            var metrics = new EpochMetrics(epoch, lossSum / train.Count, (double)correct / train.Count, valLoss, valAccuracy, isBest, clock.Elapsed.TotalSeconds)
            {
                LearningRate = rate,
                Batches = batchesPerEpoch,
            };
            epochs.Add(metrics);
            rules.Schedule.EpochEnded(metrics);
            onEpoch?.Invoke(metrics);
            if ((rules.Stop?.ShouldStop(metrics) ?? stopping.ShouldStop) && epoch < options.Epochs)
            {
                stoppedEarly = true;
                break;
            }
        }
        if (stopping.BestEpoch == 0) // every validation loss was NaN: keep the first epoch's state rather than nothing
            throw new MlNetTransferException("Training diverged: the validation loss was never a number. Try a lower learning rate (TrainingOptions.LearningRate).",
                nameof(TrainSettings.Training) + "." + nameof(TrainingOptions.LearningRate));
        return new TrainingResult { BestWeights = best, BestEpoch = stopping.BestEpoch, StoppedEarly = stoppedEarly, Epochs = epochs };
    }

    /// <summary>Class probabilities of one raw (not standardised) feature vector under <paramref name="weights"/>.</summary>
    public static float[] Predict(HeadWeights weights, ReadOnlySpan<float> features) => new HeadScorer(weights, 1).Predict(features);

    /// <summary>Class probabilities of every raw (not standardised) feature vector of <paramref name="set"/>.</summary>
    public static float[][] Predict(HeadWeights weights, FeatureSet set) => new HeadScorer(weights, set.Count).Predict(set);

    /// <summary>Log-probabilities of every raw feature vector of <paramref name="set"/> (the logits up to a shift per row).</summary>
    public static float[][] LogProbabilities(HeadWeights weights, FeatureSet set) => new HeadScorer(weights, set.Count).LogProbabilities(set);

    private const int EvalChunk = HeadScorer.Chunk;

    private static (double Loss, double Accuracy) Evaluate(HeadNetwork network, float[] x, int[] labels, int d, int classes)
    {
        double lossSum = 0;
        int correct = 0;
        for (int start = 0; start < labels.Length; start += EvalChunk)
        {
            int rows = Math.Min(EvalChunk, labels.Length - start);
            var logProbs = network.Forward(x.AsSpan(start * d, rows * d), rows, training: false, null);
            Tally(logProbs, labels.AsSpan(start, rows), rows, classes, ref lossSum, ref correct);
        }
        return (lossSum / labels.Length, (double)correct / labels.Length);
    }

    private static void Tally(ReadOnlySpan<float> logProbs, ReadOnlySpan<int> labels, int rows, int classes, ref double lossSum, ref int correct)
    {
        for (int b = 0; b < rows; b++)
        {
            var row = logProbs.Slice(b * classes, classes);
            lossSum -= row[labels[b]];
            if (HeadMath.ArgMax(row) == labels[b]) correct++;
        }
    }

    // N / (C × count): each class contributes the same total weight to the loss.
    private static float[] BalancedClassWeights(int[] labels, int classes)
    {
        var counts = new int[classes];
        foreach (var l in labels) counts[l]++;
        return counts.Select(n => n == 0 ? 0f : labels.Length / (float)(classes * n)).ToArray();
    }

    private static HeadWeights Initialize(FeatureSet train, int classCount, TrainingOptions options, SeededRandom random)
    {
        int d = train.Dimension;
        var mean = new float[d];
        var scale = new float[d];
        Array.Fill(scale, 1f);
        if (options.Scaling != FeatureScaling.None)
        {
            var sum = new double[d];
            var sumSq = new double[d];
            for (int i = 0; i < train.Count; i++)
            {
                var row = train.Row(i);
                for (int k = 0; k < d; k++) { sum[k] += row[k]; sumSq[k] += (double)row[k] * row[k]; }
            }
            var variance = new double[d];
            for (int k = 0; k < d; k++)
            {
                double m = sum[k] / train.Count;
                variance[k] = Math.Max(0, sumSq[k] / train.Count - m * m);
                mean[k] = (float)m;
            }
            double common = variance.Average();
            // The floor keeps near-constant features (common after ReLU + pooling) from being blown up into noise.
            for (int k = 0; k < d; k++)
                scale[k] = (float)(1 / Math.Sqrt((options.Scaling == FeatureScaling.Standardize ? variance[k] : common) + 1e-4));
        }
        var layers = new List<DenseLayer>();
        int inputs = d;
        if (options.Hidden > 0)
        {
            layers.Add(new DenseLayer(inputs, options.Hidden));
            inputs = options.Hidden;
        }
        layers.Add(new DenseLayer(inputs, classCount));
        foreach (var layer in layers) layer.InitializeUniform(random);
        return new HeadWeights(mean, scale, layers);
    }

    private static float[] Scaled(FeatureSet set, HeadWeights weights)
    {
        var x = (float[])set.Values.Clone();
        int d = set.Dimension;
        for (int i = 0; i < set.Count; i++)
        {
            var row = x.AsSpan(i * d, d);
            TensorPrimitives.Subtract(row, weights.FeatureMean, row);
            TensorPrimitives.Multiply(row, weights.FeatureScale, row);
        }
        return x;
    }
}
