using System.Numerics.Tensors;

namespace MlNetTransfer.Training;

/// <summary>
/// Class probabilities from a trained head, with the network (its transposed weights and buffers) built once.
/// Not thread-safe: one per thread.
/// </summary>
internal sealed class HeadScorer
{
    public const int Chunk = 256;
    private readonly HeadWeights _weights;
    private readonly HeadNetwork _network;

    public HeadScorer(HeadWeights weights, int maxRows = Chunk)
    {
        _weights = weights;
        _network = new HeadNetwork(weights, 0, Math.Clamp(maxRows, 1, Chunk));
    }

    /// <summary>Probabilities of each raw (not standardised) feature vector of <paramref name="set"/>.</summary>
    public float[][] Predict(FeatureSet set)
    {
        var result = LogProbabilities(set);
        foreach (var row in result) TensorPrimitives.Exp(row, row);
        return result;
    }

    /// <summary>Log-probabilities (the logits shifted per row) of each raw feature vector of <paramref name="set"/>.</summary>
    public float[][] LogProbabilities(FeatureSet set)
    {
        var result = new float[set.Count][];
        int d = set.Dimension, c = _weights.ClassCount, chunk = Math.Min(Chunk, _network.MaxRows);
        var x = new float[Math.Min(chunk, Math.Max(1, set.Count)) * d];
        for (int start = 0; start < set.Count; start += chunk)
        {
            int rows = Math.Min(chunk, set.Count - start);
            for (int r = 0; r < rows; r++)
            {
                var row = x.AsSpan(r * d, d);
                TensorPrimitives.Subtract(set.Row(start + r), _weights.FeatureMean, row);
                TensorPrimitives.Multiply(row, _weights.FeatureScale, row);
            }
            var logProbs = _network.Forward(x.AsSpan(0, rows * d), rows, training: false, null);
            for (int r = 0; r < rows; r++)
            {
                result[start + r] = logProbs.Slice(r * c, c).ToArray();
            }
        }
        return result;
    }

    /// <summary>Probabilities of one raw feature vector.</summary>
    public float[] Predict(ReadOnlySpan<float> features) => Predict(new FeatureSet([features.ToArray()], [0]))[0];
}
