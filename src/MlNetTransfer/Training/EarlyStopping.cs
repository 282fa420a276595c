namespace MlNetTransfer.Training;

/// <summary>
/// Tracks the monitored validation metric: says whether an epoch is the best so far and when to stop
/// (<see cref="Patience"/> epochs without an improvement larger than <see cref="MinDelta"/>).
/// </summary>
internal sealed class EarlyStopping(MonitorMetric monitor, int patience, double minDelta)
{
    private double _bestLoss = double.PositiveInfinity;
    private double _bestAccuracy = double.NegativeInfinity;
    private int _epochsWithoutImprovement;

    public MonitorMetric Monitor { get; } = monitor;
    public int Patience { get; } = patience;
    public double MinDelta { get; } = minDelta;
    public int BestEpoch { get; private set; }

    /// <summary>Records an epoch; returns true when it is the best so far.</summary>
    public bool Record(int epoch, double validationLoss, double validationAccuracy)
    {
        bool improved = Monitor == MonitorMetric.Loss
            ? validationLoss < _bestLoss - MinDelta
            : validationAccuracy > _bestAccuracy + MinDelta
              || (validationAccuracy >= _bestAccuracy && validationLoss < _bestLoss - MinDelta);
        if (double.IsNaN(validationLoss)) improved = false;
        if (improved)
        {
            _bestLoss = validationLoss;
            _bestAccuracy = validationAccuracy;
            BestEpoch = epoch;
            _epochsWithoutImprovement = 0;
        }
        else
            _epochsWithoutImprovement++;
        return improved;
    }

    /// <summary>True once <see cref="Patience"/> epochs in a row brought no improvement (never when patience is 0).</summary>
    public bool ShouldStop => Patience > 0 && _epochsWithoutImprovement >= Patience;
}
