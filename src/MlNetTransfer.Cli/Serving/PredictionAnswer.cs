using MlNetTransfer.Model;

namespace MlNetTransfer.Cli.Serving;

/// <summary>
/// The answer of <c>POST /predict</c>: the label, each class's probability in the model's class order, and whether the
/// image looks like none of the training images (<c>unknown</c>, from <c>novelty</c>; null for a model without them).
/// </summary>
internal sealed record PredictionAnswer(string PredictedLabel, IReadOnlyDictionary<string, float> Scores, bool? Unknown, float? Novelty)
{
    /// <param name="classes">The classes of the model that made the prediction (it may have been replaced since).</param>
    public static PredictionAnswer From(Prediction prediction, IReadOnlyList<string> classes)
    {
        var scores = new OrderedDictionary<string, float>(classes.Count);
        for (int i = 0; i < classes.Count; i++) scores.Add(classes[i], prediction.Scores[i]);
        return new PredictionAnswer(prediction.PredictedLabel, scores, prediction.Unknown, prediction.Novelty);
    }
}
