using MlNetTransfer.Features;
using MlNetTransfer.Training;

namespace MlNetTransfer;

/// <summary>Something a training run reports as it goes; the CLI renders these, the library never prints.</summary>
public abstract record TrainingEvent;

/// <summary>The data set was scanned.</summary>
public sealed record DatasetScanned(int Classes, int TrainImages, int ValidationImages, bool HasOwnSplit) : TrainingEvent;

/// <summary>Which images a feature extraction step works on: validation images first (as ML.NET's trainer does), then training images, then augmented views.</summary>
public enum ImageSet
{
    Validation,
    /// <summary>Training images, and the test folder's.</summary>
    Training,
    AugmentedViews,
    /// <summary>Training images in a candidate view, to choose the view (<see cref="ViewChoosing"/>).</summary>
    ViewCandidates,
}

/// <summary>Feature extraction advanced: <paramref name="Progress"/> over every image of the step's kind so far, <paramref name="SetProgress"/> within <paramref name="Set"/>.</summary>
public sealed record ExtractionAdvanced(ExtractionProgress Progress, ImageSet Set, ExtractionProgress SetProgress) : TrainingEvent
{
    /// <summary>The candidate view being extracted, for <see cref="ImageSet.ViewCandidates"/>.</summary>
    public Backbones.ImageView? View { get; init; }
}

/// <summary>
/// The view is being chosen: the training images are extracted in each candidate view (once; cached) and a linear
/// model is cross-validated on each, over <paramref name="Folds"/> folds.
/// </summary>
internal sealed record ViewChoosing(IReadOnlyList<Backbones.ImageView> Candidates, int TrainImages, int Folds) : TrainingEvent;

/// <summary>The network's precision for this run, resolved from the settings (fp32 unless asked otherwise; <see cref="Backbones.Precision.Auto"/> resolves per machine).</summary>
internal sealed record PrecisionChosen(PrecisionChoice Choice) : TrainingEvent;

/// <summary>An earlier run's int8 calibration is kept: its <paramref name="Images"/> images are all still in the data set, so cached int8 features stay valid.</summary>
internal sealed record CalibrationKept(int Images) : TrainingEvent;

/// <summary>The int8 network is being calibrated on <paramref name="Images"/> of the training images (once; cached).</summary>
internal sealed record Calibrating(int Images) : TrainingEvent;

/// <summary>The view was chosen.</summary>
internal sealed record ViewChosen(Pipeline.ViewChoiceReport Report) : TrainingEvent;

/// <summary>An epoch ended.</summary>
public sealed record EpochEnded(EpochMetrics Metrics) : TrainingEvent;

/// <summary>The model is being written.</summary>
public sealed record SavingModel(string Path) : TrainingEvent;

/// <summary>The data check ran on the extracted features (before training).</summary>
internal sealed record DataChecked(MlNetTransfer.Data.DataCheckReport Report) : TrainingEvent;
