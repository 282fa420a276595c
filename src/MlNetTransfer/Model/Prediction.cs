namespace MlNetTransfer.Model;

/// <summary>The model's answer for one image: the label, its probability, and every class's probability (Score order).</summary>
public sealed record Prediction(string ImagePath, string PredictedLabel, float Confidence, IReadOnlyList<float> Scores)
{
    /// <summary>The image's true class where it is known (validation, test and evaluation images); null otherwise.</summary>
    public string? Label { get; init; }

    /// <summary>The prediction that <paramref name="scores"/> (probabilities in the order of <paramref name="classes"/>) make: the most probable class.</summary>
    public static Prediction FromScores(string imagePath, IReadOnlyList<string> classes, float[] scores, string? label = null)
    {
        int best = Training.HeadMath.ArgMax(scores);
        return new Prediction(imagePath, classes[best], scores[best], scores) { Label = label };
    }

    /// <summary>The prediction of a model's logits: their softmax, as ML.NET's multiclass scorer computes it.</summary>
    internal static Prediction FromLogits(string imagePath, IReadOnlyList<string> classes, ReadOnlySpan<float> logits)
    {
        // Shifted by the largest logit first, as ML.NET's scorer does: exp of a large logit would overflow to NaN.
        var scores = new float[logits.Length];
        System.Numerics.Tensors.TensorPrimitives.Subtract(logits, System.Numerics.Tensors.TensorPrimitives.Max(logits), scores);
        System.Numerics.Tensors.TensorPrimitives.SoftMax(scores, scores);
        return FromScores(imagePath, classes, scores);
    }
}
