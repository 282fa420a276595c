using MlNetTransfer.Features;
using MlNetTransfer.Training;

namespace MlNetTransfer;

/// <summary>
/// Something a training run reports as it goes; the CLI renders these, the library never prints. Besides the public
/// kinds below, kinds internal to the tool's command line (the precision and view chosen, int8 calibration, the data check) arrive
/// too: match the ones you want and ignore the rest.
/// </summary>
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
}

/// <summary>Feature extraction advanced: <paramref name="Progress"/> over every image of the step's kind so far, <paramref name="SetProgress"/> within <paramref name="Set"/>.</summary>
public sealed record ExtractionAdvanced(ExtractionProgress Progress, ImageSet Set, ExtractionProgress SetProgress) : TrainingEvent;

/// <summary>The network's precision for this run, resolved from the settings (fp32 unless asked otherwise; <see cref="Backbones.Precision.Auto"/> resolves per machine).</summary>
internal sealed record PrecisionChosen(PrecisionChoice Choice) : TrainingEvent;

/// <summary>The int8 network is being calibrated on <paramref name="Images"/> of the training images (once; cached).</summary>
internal sealed record Calibrating(int Images) : TrainingEvent;

/// <summary>The view of the images is decided (set, or chosen from the training images' shapes).</summary>
internal sealed record ViewChosen(Pipeline.ViewChoiceReport Report) : TrainingEvent;

/// <summary>An epoch ended.</summary>
public sealed record EpochEnded(EpochMetrics Metrics) : TrainingEvent;

/// <summary>The model is being written.</summary>
public sealed record SavingModel(string Path) : TrainingEvent;

/// <summary>The data check ran on the extracted features (before training).</summary>
internal sealed record DataChecked(MlNetTransfer.Data.DataCheckReport Report) : TrainingEvent;
