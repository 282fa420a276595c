using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Model;
using MlNetTransfer.Training;

namespace MlNetTransfer.Pipeline;

/// <summary>What <see cref="TrainingPipeline.Run"/> made: the best head, and how each stage went.</summary>
internal sealed record PipelineResult
{
    public required ImageDataset Dataset { get; init; }
    public required BackboneDescription Backbone { get; init; }
    public required ExtractionResult Extraction { get; init; }
    /// <summary>The augmented training views' extraction; null without augmentation.</summary>
    public ExtractionResult? Views { get; init; }
    /// <summary>Training and validation images whose features could be made.</summary>
    public required IReadOnlyList<LabelledImage> Train { get; init; }
    public required IReadOnlyList<LabelledImage> Validation { get; init; }
    /// <summary>Null when the caller did not ask for the check.</summary>
    public DataCheckReport? DataCheck { get; init; }
    public required TrainingResult Training { get; init; }
    /// <summary>The best head's prediction for every usable validation image, with its label.</summary>
    public required IReadOnlyList<Prediction> ValidationPredictions { get; init; }
    /// <summary>The view the features describe, and why.</summary>
    public required ViewChoiceReport View { get; init; }

    /// <summary>The network's precision and why.</summary>
    public required PrecisionChoice Precision { get; init; }

    /// <summary>The temperature fitted on the validation images, and the calibration error before and after.</summary>
    public required Confidence.CalibrationReport Calibration { get; init; }

    /// <summary>The novelty part of the saved graph and its summary; null when the plan has none.</summary>
    public (Confidence.NoveltyDetector Detector, Confidence.NoveltySummary Summary)? Novelty { get; init; }

    /// <summary>The best head on the data set's test images; null without any.</summary>
    public ValidationSummary? Test { get; init; }
}
