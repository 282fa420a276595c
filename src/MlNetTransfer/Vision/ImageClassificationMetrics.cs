namespace MlNetTransfer.Vision;

/// <summary>Which set a metrics report is about.</summary>
public enum ImageClassificationMetricsDataset
{
    Train,
    Validation,
}

/// <summary>One epoch's figures on one set, reported through <see cref="ImageClassificationTrainer.Options.MetricsCallback"/>.</summary>
public sealed class TrainMetrics
{
    public ImageClassificationMetricsDataset DatasetUsed { get; init; }
    public int Epoch { get; init; }
    public float Accuracy { get; init; }
    public float CrossEntropy { get; init; }
    public float LearningRate { get; init; }

    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Phase: Training, Dataset used: {DatasetUsed,10}, Epoch: {Epoch,3}, Accuracy: {Accuracy,10:F6}, Cross-Entropy: {CrossEntropy,10:F6}");
}

/// <summary>What the trainer reports after each epoch (the shape of ML.NET's ImageClassificationMetrics, training phase).</summary>
public sealed class ImageClassificationMetrics
{
    public TrainMetrics? Train { get; init; }

    public override string ToString() => Train?.ToString() ?? "";
}
