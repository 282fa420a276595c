namespace MlNetTransfer.Training;

/// <summary>
/// The trained classifier head: feature standardisation (mean, scale) followed by dense layers with ReLU between them.
/// The last layer gives logits; softmax turns them into class probabilities.
/// </summary>
internal sealed class HeadWeights
{
    public HeadWeights(float[] featureMean, float[] featureScale, IReadOnlyList<DenseLayer> layers)
    {
        FeatureMean = featureMean;
        FeatureScale = featureScale;
        Layers = layers;
    }

    /// <summary>Subtracted from each feature before the first layer.</summary>
    public float[] FeatureMean { get; }

    /// <summary>Multiplies each centred feature (see <see cref="FeatureScaling"/>: one common scale, 1/std per feature, or 1).</summary>
    public float[] FeatureScale { get; }

    public IReadOnlyList<DenseLayer> Layers { get; }

    public int FeatureSize => Layers[0].Inputs;
    public int ClassCount => Layers[^1].Outputs;

    public HeadWeights Clone() => new((float[])FeatureMean.Clone(), (float[])FeatureScale.Clone(), Layers.Select(l => l.Clone()).ToList());

    /// <summary>
    /// The first layer with the standardisation folded in: W'(x) = W((x - mean) * scale) = (W * scale) x + (b - W (mean * scale)).
    /// Lets the saved graph start with a plain Gemm.
    /// </summary>
    public DenseLayer FoldedFirstLayer()
    {
        var first = Layers[0];
        var folded = new DenseLayer(first.Inputs, first.Outputs);
        for (int o = 0; o < first.Outputs; o++)
        {
            double bias = first.Bias[o];
            for (int i = 0; i < first.Inputs; i++)
            {
                float w = first.Weights[o * first.Inputs + i] * FeatureScale[i];
                folded.Weights[o * first.Inputs + i] = w;
                bias -= w * FeatureMean[i];
            }
            folded.Bias[o] = (float)bias;
        }
        return folded;
    }
}
