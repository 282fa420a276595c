using MlNetTransfer.Data;

namespace MlNetTransfer.Model;

/// <summary>Precision, recall and F1 of one class.</summary>
public sealed record ClassMetrics(string Class, double Precision, double Recall, double F1, int Support);

/// <summary>How a model did on images whose class is known.</summary>
public sealed class EvaluationReport
{
    public required IReadOnlyList<string> Classes { get; init; }
    public required double Accuracy { get; init; }
    public required int Count { get; init; }
    public required IReadOnlyList<ClassMetrics> PerClass { get; init; }
    /// <summary>ConfusionMatrix[actual][predicted].</summary>
    public required int[][] ConfusionMatrix { get; init; }
    public required IReadOnlyList<SkippedImage> Skipped { get; init; }
    /// <summary>Every prediction, each with its <see cref="Prediction.Label"/>.</summary>
    public required IReadOnlyList<Prediction> Predictions { get; init; }

    /// <summary>Computes the report from predictions that carry their true <see cref="Prediction.Label"/>.</summary>
    public static EvaluationReport From(IReadOnlyList<string> classes, IReadOnlyList<Prediction> predictions, IReadOnlyList<SkippedImage> skipped)
    {
        int c = classes.Count;
        var matrix = Enumerable.Range(0, c).Select(_ => new int[c]).ToArray();
        var index = classes.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        foreach (var prediction in predictions)
            matrix[index[prediction.Label ?? throw new ArgumentException($"{prediction.ImagePath} has no label.", nameof(predictions))]][index[prediction.PredictedLabel]]++;
        int correct = Enumerable.Range(0, c).Sum(i => matrix[i][i]);
        var perClass = Enumerable.Range(0, c).Select(i =>
        {
            int tp = matrix[i][i];
            int predicted = Enumerable.Range(0, c).Sum(a => matrix[a][i]);
            int actual = matrix[i].Sum();
            double precision = predicted == 0 ? 0 : (double)tp / predicted;
            double recall = actual == 0 ? 0 : (double)tp / actual;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            return new ClassMetrics(classes[i], precision, recall, f1, actual);
        }).ToList();
        return new EvaluationReport
        {
            Classes = classes,
            Accuracy = predictions.Count == 0 ? 0 : (double)correct / predictions.Count,
            Count = predictions.Count,
            PerClass = perClass,
            ConfusionMatrix = matrix,
            Skipped = skipped,
            Predictions = predictions,
        };
    }
}
