namespace MlNetTransfer.Training;

/// <summary>One epoch's losses and accuracies, each over every sample of its set.</summary>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double ValidationLoss,
    double ValidationAccuracy,
    bool IsBest,
    double Seconds);
