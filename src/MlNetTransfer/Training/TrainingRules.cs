namespace MlNetTransfer.Training;

/// <summary>How the learning rate moves: asked before every mini-batch, told each epoch's figures.</summary>
internal interface IRateSchedule
{
    /// <summary>The rate of mini-batch <paramref name="batch"/> of epoch <paramref name="epoch"/> (both from 0), of <paramref name="batchesPerEpoch"/> whole batches.</summary>
    float RateAt(int epoch, int batch, int batchesPerEpoch);

    /// <summary>Told each epoch's figures once it is validated (a plateau schedule watches them).</summary>
    void EpochEnded(EpochMetrics metrics) { }
}

/// <summary>When training stops before its last epoch, from each epoch's figures.</summary>
internal interface IStopRule
{
    bool ShouldStop(EpochMetrics metrics);
}

/// <summary>The schedule and stop rule of a training run: the settings' own unless a caller (the estimator) brings ML.NET's.</summary>
internal sealed record TrainingRules(IRateSchedule Schedule, IStopRule? Stop)
{
    /// <summary>The rules <paramref name="options"/> describe (its schedule; its patience, applied by the trainer's early stopping).</summary>
    public static TrainingRules Of(TrainingOptions options) => new(new SettingsSchedule(options), null);
}

/// <summary><see cref="TrainingOptions.Schedule"/> from <see cref="TrainingOptions.LearningRate"/>: constant, step, cosine or plateau.</summary>
internal sealed class SettingsSchedule(TrainingOptions options) : IRateSchedule
{
    private float _plateauRate = options.LearningRate;
    private double _plateauBest = double.PositiveInfinity;
    private int _plateauWait;

    public float RateAt(int epoch, int batch, int batchesPerEpoch) => options.Schedule switch
    {
        LearningRateSchedule.Step => options.LearningRate * MathF.Pow(options.StepGamma, epoch / options.StepSize),
        LearningRateSchedule.Cosine => options.LearningRate * 0.5f * (1 + MathF.Cos(MathF.PI * epoch / options.Epochs)),
        LearningRateSchedule.Plateau => _plateauRate,
        _ => options.LearningRate,
    };

    // Lowered after PlateauPatience epochs without a lower validation loss.
    public void EpochEnded(EpochMetrics metrics)
    {
        if (options.Schedule != LearningRateSchedule.Plateau) return;
        if (metrics.ValidationLoss < _plateauBest) { _plateauBest = metrics.ValidationLoss; _plateauWait = 0; }
        else if (++_plateauWait >= options.PlateauPatience) { _plateauRate *= options.StepGamma; _plateauWait = 0; }
    }
}
