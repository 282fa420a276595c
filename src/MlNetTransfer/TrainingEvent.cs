using MlNetTransfer.Features;
using MlNetTransfer.Training;

namespace MlNetTransfer;

/// <summary>Something a training run reports as it goes; the CLI renders these, the library never prints.</summary>
public abstract record TrainingEvent;

/// <summary>The data set was scanned.</summary>
public sealed record DatasetScanned(int Classes, int TrainImages, int ValidationImages, bool HasOwnSplit) : TrainingEvent;

/// <summary>Feature extraction advanced.</summary>
public sealed record ExtractionAdvanced(ExtractionProgress Progress) : TrainingEvent;

/// <summary>An epoch ended.</summary>
public sealed record EpochEnded(EpochMetrics Metrics, int MaxEpochs) : TrainingEvent;

/// <summary>The model is being written.</summary>
public sealed record SavingModel(string Path) : TrainingEvent;

/// <summary>The data check ran on the extracted features (before training).</summary>
public sealed record DataChecked(MlNetTransfer.Data.DataCheckReport Report) : TrainingEvent;
