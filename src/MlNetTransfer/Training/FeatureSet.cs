namespace MlNetTransfer.Training;

/// <summary>Feature vectors and their class labels, as the head trainer sees them: no images, no ONNX.</summary>
internal sealed class FeatureSet
{
    public FeatureSet(IReadOnlyList<float[]> features, IReadOnlyList<int> labels)
    {
        if (features.Count != labels.Count)
            throw new ArgumentException($"{features.Count} feature vectors but {labels.Count} labels.", nameof(labels));
        Count = features.Count;
        Dimension = Count == 0 ? 0 : features[0].Length;
        Values = new float[Count * Dimension];
        for (int i = 0; i < Count; i++)
        {
            if (features[i].Length != Dimension)
                throw new ArgumentException($"Feature vector {i} has length {features[i].Length}, expected {Dimension}.", nameof(features));
            features[i].CopyTo(Values, i * Dimension);
        }
        Labels = labels.ToArray();
    }

    public int Count { get; }
    public int Dimension { get; }

    /// <summary>Row-major [Count, Dimension].</summary>
    public float[] Values { get; }
    public int[] Labels { get; }

    public ReadOnlySpan<float> Row(int i) => Values.AsSpan(i * Dimension, Dimension);
}
