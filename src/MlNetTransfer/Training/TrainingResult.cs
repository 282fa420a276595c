namespace MlNetTransfer.Training;

/// <summary>What a head training run produced: the best epoch's weights and the history that chose them.</summary>
internal sealed class TrainingResult
{
    public required HeadWeights BestWeights { get; init; }
    public required int BestEpoch { get; init; }
    public required bool StoppedEarly { get; init; }
    public required IReadOnlyList<EpochMetrics> Epochs { get; init; }
    public EpochMetrics Best => Epochs.First(e => e.Epoch == BestEpoch);
}
