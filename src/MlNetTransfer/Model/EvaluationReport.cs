using MlNetTransfer.Data;

namespace MlNetTransfer.Model;

/// <summary>Precision, recall and F1 of one class.</summary>
public sealed record ClassMetrics(string Class, double Precision, double Recall, double F1, int Support);

/// <summary>The novelty on images of none of the model's classes against the labelled (known) ones.</summary>
internal static class UnknownImages
{
    /// <summary>Fills <paramref name="report"/>'s unknown-image figures from the unknown images' predictions.</summary>
    public static EvaluationReport With(EvaluationReport report, IReadOnlyList<Prediction> unknown, IReadOnlyList<SkippedImage> skipped)
    {
        var known = report.Predictions;
        var knownScores = known.Select(p => p.Novelty!.Value).Order().ToArray();
        double wins = 0;
        foreach (var p in unknown)
        {
            float u = p.Novelty!.Value;
            int below = LowerBound(knownScores, u), notAbove = UpperBound(knownScores, u);
            wins += below + 0.5 * (notAbove - below);
        }
        double Share(IReadOnlyList<Prediction> ps) => ps.Count == 0 ? 0 : ps.Count(p => p.Unknown == true) / (double)ps.Count;
        return report with
        {
            Skipped = [.. report.Skipped, .. skipped],
            UnknownPredictions = unknown,
            UnknownAuroc = known.Count * unknown.Count == 0 ? double.NaN : wins / ((double)known.Count * unknown.Count),
            UnknownFlagged = Share(unknown),
            KnownFlagged = Share(known),
        };
    }

    private static int LowerBound(float[] sorted, float v) { int i = Array.BinarySearch(sorted, v); if (i < 0) return ~i; while (i > 0 && sorted[i - 1] == v) i--; return i; }
    private static int UpperBound(float[] sorted, float v) { int i = Array.BinarySearch(sorted, v); if (i < 0) return ~i; while (i < sorted.Length && sorted[i] == v) i++; return i; }
}

/// <summary>How a model did on images whose class is known.</summary>
public sealed record EvaluationReport
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

    /// <summary>The predictions of the images of none of the classes, when a folder of them was given (else empty).</summary>
    public IReadOnlyList<Prediction> UnknownPredictions { get; init; } = [];

    /// <summary>
    /// Chance that an unknown image has a higher novelty than a labelled one (ties count half): 1 separates them
    /// perfectly, 0.5 is chance; null without unknown images.
    /// </summary>
    public double? UnknownAuroc { get; init; }

    /// <summary>Share of the unknown images the model flags (<see cref="Prediction.Unknown"/>); null without unknown images.</summary>
    public double? UnknownFlagged { get; init; }

    /// <summary>Share of the labelled images it flags; null without unknown images.</summary>
    public double? KnownFlagged { get; init; }

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
