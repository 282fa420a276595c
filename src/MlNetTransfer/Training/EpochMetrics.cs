namespace MlNetTransfer.Training;

/// <summary>One epoch's losses and accuracies, each over every sample of its set.</summary>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double ValidationLoss,
    double ValidationAccuracy,
    bool IsBest,
    double Seconds)
{
    /// <summary>The learning rate of the epoch's last mini-batch.</summary>
    public double LearningRate { get; init; }

    /// <summary>Mini-batches in the epoch.</summary>
    public int Batches { get; init; }
}
