using MlNetTransfer.Data;
using MlNetTransfer.Model;
using MlNetTransfer.Training;

namespace MlNetTransfer;

/// <summary>Validation figures of the best epoch.</summary>
public sealed record ValidationSummary(double Accuracy, double Loss, int Count);

/// <summary>How feature extraction went.</summary>
public sealed record ExtractionSummary(int Images, int FromCache, int Extracted, double Seconds, int CorruptCacheEntries);

/// <summary>The outcome of a training run, written to metrics.json (camelCase).</summary>
public sealed class TrainReport
{
    public required IReadOnlyList<string> Classes { get; init; }
    public required int BestEpoch { get; init; }
    public required bool StoppedEarly { get; init; }
    public required IReadOnlyList<EpochMetrics> Epochs { get; init; }
    public required ValidationSummary Validation { get; init; }
    public required int TrainCount { get; init; }
    public required IReadOnlyList<SkippedImage> Skipped { get; init; }
    public required ExtractionSummary FeatureExtraction { get; init; }
    public required string Backbone { get; init; }
    public required string ModelPath { get; init; }
    public required double Seconds { get; init; }

    /// <summary>Extraction of the augmented training views (when <see cref="TrainSettings.Augment"/> asks for them), apart from the images' own.</summary>
    public ExtractionSummary? AugmentedViews { get; init; }

    /// <summary>The view of the images the features describe, and why.</summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal Pipeline.ViewChoiceReport? View { get; init; }

    /// <summary>The network's precision (fp32 or int8) and why: asked for, or resolved from auto for this backbone, device and processor.</summary>
    public Features.PrecisionChoice? Precision { get; init; }

    /// <summary>The best epoch's figures on the data set's test/ folder (evaluated once, after training); null without one.</summary>
    public ValidationSummary? Test { get; init; }

    /// <summary>Duplicates, train/validation leaks, likely mislabelled images and outliers found before training.</summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal DataCheckReport? DataCheck { get; init; }

    /// <summary>The calibration temperature and the expected calibration error on validation before and after it.</summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal Confidence.CalibrationReport? Calibration { get; init; }

    /// <summary>The saved model's novelty method, threshold and the share of validation images it flags; null without novelty.</summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal Confidence.NoveltySummary? Novelty { get; init; }

    /// <summary>The run's report.html (learning curves, confusion matrix, per-class metrics, worst images).</summary>
    public string ReportPath { get; init; } = "";

    /// <summary>The best epoch's probabilities for each validation image (also in validation-predictions.json).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<Prediction> ValidationPredictions { get; init; } = [];
}
