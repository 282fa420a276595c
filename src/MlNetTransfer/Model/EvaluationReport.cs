using MlNetTransfer.Data;

namespace MlNetTransfer.Model;

/// <summary>Precision, recall and F1 of one class.</summary>
public sealed record ClassMetrics(string Class, double Precision, double Recall, double F1, int Support);

/// <summary>
/// The novelty on images of none of the model's classes against the labelled (known) ones.
/// </summary>
/// <param name="Auroc">Chance that an unknown image has a higher novelty than a known one (ties count half): 1 separates them perfectly, 0.5 is chance.</param>
/// <param name="UnknownFlagged">Share of the unknown images the model flags (<see cref="Prediction.Unknown"/>).</param>
/// <param name="KnownFlagged">Share of the known images it flags.</param>
public sealed record UnknownImagesReport(int UnknownCount, int KnownCount, double Auroc, double UnknownFlagged, double KnownFlagged, IReadOnlyList<Prediction> Predictions)
{
    internal static UnknownImagesReport From(IReadOnlyList<Prediction> known, IReadOnlyList<Prediction> unknown)
    {
        var knownScores = known.Select(p => p.Novelty!.Value).Order().ToArray();
        double wins = 0;
        foreach (var p in unknown)
        {
            float u = p.Novelty!.Value;
            int below = LowerBound(knownScores, u), notAbove = UpperBound(knownScores, u);
            wins += below + 0.5 * (notAbove - below);
        }
        double Share(IReadOnlyList<Prediction> ps) => ps.Count == 0 ? 0 : ps.Count(p => p.Unknown == true) / (double)ps.Count;
        return new UnknownImagesReport(unknown.Count, known.Count, known.Count * unknown.Count == 0 ? double.NaN : wins / ((double)known.Count * unknown.Count),
            Share(unknown), Share(known), unknown);
    }

    private static int LowerBound(float[] sorted, float v) { int i = Array.BinarySearch(sorted, v); if (i < 0) return ~i; while (i > 0 && sorted[i - 1] == v) i--; return i; }
    private static int UpperBound(float[] sorted, float v) { int i = Array.BinarySearch(sorted, v); if (i < 0) return ~i; while (i < sorted.Length && sorted[i] == v) i++; return i; }
}

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

    /// <summary>How the novelty told the labelled images from a folder of images of none of the classes; null when none was given.</summary>
    public UnknownImagesReport? Unknown { get; init; }

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
