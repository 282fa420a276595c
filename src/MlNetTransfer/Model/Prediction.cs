namespace MlNetTransfer.Model;

/// <summary>The model's answer for one image: the label, its probability, and every class's probability (Score order).</summary>
public sealed record Prediction(string ImagePath, string PredictedLabel, float Confidence, IReadOnlyList<float> Scores)
{
    /// <summary>The image's true class where it is known (validation, test and evaluation images); null otherwise.</summary>
    public string? Label { get; init; }

    /// <summary>
    /// How far the image's features lie from the training images' (the model's novelty method; higher is farther);
    /// null for a model without novelty (written before 0.3, or trained with it off).
    /// </summary>
    public float? Novelty { get; init; }

    /// <summary>The novelty is above the model's threshold: likely an image of none of its classes. Null without novelty.</summary>
    public bool? Unknown { get; init; }

    /// <summary>The prediction that <paramref name="scores"/> (probabilities in the order of <paramref name="classes"/>) make: the most probable class.</summary>
    public static Prediction FromScores(string imagePath, IReadOnlyList<string> classes, float[] scores, string? label = null)
    {
        int best = Training.HeadMath.ArgMax(scores);
        return new Prediction(imagePath, classes[best], scores[best], scores) { Label = label };
    }

    /// <summary>
    /// The prediction of a row of the saved graph's answer (<see cref="SavedGraph.AnswerOutput"/>): the softmax of
    /// its logits, as ML.NET's multiclass scorer computes it, then the novelty and the flag when the row has them.
    /// </summary>
    internal static Prediction FromAnswer(string imagePath, IReadOnlyList<string> classes, ReadOnlySpan<float> answer)
    {
        var prediction = FromLogits(imagePath, classes, answer[..classes.Count]);
        return answer.Length > classes.Count ? prediction with { Novelty = answer[classes.Count], Unknown = answer[classes.Count + 1] > 0.5f } : prediction;
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
