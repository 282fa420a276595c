namespace MlNetTransfer.Training;

/// <summary>Which validation metric decides the best epoch and early stopping.</summary>
public enum MonitorMetric
{
    /// <summary>Validation loss (lower is better).</summary>
    Loss,
    /// <summary>Validation accuracy (higher is better); ties are broken by the lower validation loss.</summary>
    Accuracy,
}

/// <summary>How features are scaled before the head (the same transform is folded into the saved graph).</summary>
public enum FeatureScaling
{
    /// <summary>Raw backbone features, as the recipe feeds them.</summary>
    None,
    /// <summary>
    /// Each feature minus its training mean, all divided by one common scale (the root of the mean variance): removes
    /// the all-positive offset of pooled ReLU features that makes plain SGD swing, without reweighting features.
    /// </summary>
    Center,
    /// <summary>Each feature to zero mean and unit variance with training statistics.</summary>
    Standardize,
}

/// <summary>The optimiser of the head.</summary>
public enum OptimizerKind
{
    /// <summary>Mini-batch SGD with momentum (PyTorch's rule): the recipe's default.</summary>
    Sgd,
    /// <summary>Adam (β1 0.9, β2 0.999, ε 1e-8); use a learning rate around 0.001.</summary>
    Adam,
}

/// <summary>How the learning rate changes over the epochs.</summary>
public enum LearningRateSchedule
{
    /// <summary>Constant.</summary>
    None,
    /// <summary>Multiplied by <see cref="TrainingOptions.StepGamma"/> every <see cref="TrainingOptions.StepSize"/> epochs.</summary>
    Step,
    /// <summary>Cosine annealing from the learning rate to 0 over <see cref="TrainingOptions.Epochs"/>.</summary>
    Cosine,
    /// <summary>Multiplied by <see cref="TrainingOptions.StepGamma"/> after <see cref="TrainingOptions.PlateauPatience"/> epochs without a lower validation loss.</summary>
    Plateau,
}

/// <summary>Settings of the classifier head and its training loop. Defaults follow the transfer-learning recipe.</summary>
public sealed record TrainingOptions
{
    /// <summary>Most epochs to run; early stopping may end sooner.</summary>
    public int Epochs { get; set; } = 50;

    /// <summary>Samples per SGD step.</summary>
    public int BatchSize { get; set; } = 32;

    public float LearningRate { get; set; } = 0.01f;

    public float Momentum { get; set; } = 0.9f;

    /// <summary>Dropout probability after the hidden layer.</summary>
    public float Dropout { get; set; } = 0.4f;

    /// <summary>Width of the hidden layer; 0 gives a linear softmax head.</summary>
    public int Hidden { get; set; } = 256;

    /// <summary>Seed of weight initialisation, shuffling and dropout.</summary>
    public int Seed { get; set; }

    /// <summary>Epochs without improvement of the monitored metric before stopping; 0 never stops early.</summary>
    public int Patience { get; set; } = 10;

    /// <summary>An improvement must be larger than this to count.</summary>
    public float MinDelta { get; set; }

    public MonitorMetric Monitor { get; set; } = MonitorMetric.Loss;

    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Sgd;

    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.None;

    /// <summary>Epochs between learning-rate steps (step schedule).</summary>
    public int StepSize { get; set; } = 10;

    /// <summary>Factor of each learning-rate step (step and plateau schedules).</summary>
    public float StepGamma { get; set; } = 0.1f;

    /// <summary>Epochs without a lower validation loss before the plateau schedule lowers the rate.</summary>
    public int PlateauPatience { get; set; } = 3;

    /// <summary>L2 penalty added to the gradients (PyTorch's weight_decay).</summary>
    public float WeightDecay { get; set; }

    /// <summary>Share of each target spread over all classes (0: plain one-hot).</summary>
    public float LabelSmoothing { get; set; }

    /// <summary>Weigh each class's loss by N / (C × count), so rare classes count as much as common ones.</summary>
    public bool Balance { get; set; }

    /// <summary>
    /// Feature scaling with training statistics (folded into the saved graph). The default, <see cref="FeatureScaling.Center"/>,
    /// was measured best across three data sets (docs/accuracy.md).
    /// </summary>
    public FeatureScaling Scaling { get; set; } = FeatureScaling.Center;

    /// <summary>Most threads a matrix product of the head may use; 0 leaves it to the machine. Results do not depend on it (tested).</summary>
    internal int Threads { get; init; }

    /// <summary>Throws <see cref="MlNetTransferException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw OutOfRange(nameof(Epochs), Epochs, "at least 1");
        if (BatchSize < 1) throw OutOfRange(nameof(BatchSize), BatchSize, "at least 1");
        // Written so that NaN fails each check: every comparison with NaN is false.
        if (!(LearningRate > 0) || float.IsInfinity(LearningRate)) throw OutOfRange(nameof(LearningRate), LearningRate, "a positive number");
        if (!(Momentum is >= 0 and < 1)) throw OutOfRange(nameof(Momentum), Momentum, "in [0, 1)");
        if (!(Dropout is >= 0 and < 1)) throw OutOfRange(nameof(Dropout), Dropout, "in [0, 1)");
        if (Hidden < 0) throw OutOfRange(nameof(Hidden), Hidden, "0 or more");
        if (Patience < 0) throw OutOfRange(nameof(Patience), Patience, "0 or more");
        if (!(MinDelta >= 0) || float.IsInfinity(MinDelta)) throw OutOfRange(nameof(MinDelta), MinDelta, "0 or more");
        if (!(WeightDecay >= 0) || float.IsInfinity(WeightDecay)) throw OutOfRange(nameof(WeightDecay), WeightDecay, "0 or more");
        if (!(LabelSmoothing is >= 0 and < 1)) throw OutOfRange(nameof(LabelSmoothing), LabelSmoothing, "in [0, 1)");
        if (StepSize < 1) throw OutOfRange(nameof(StepSize), StepSize, "at least 1");
        if (!(StepGamma is > 0 and <= 1)) throw OutOfRange(nameof(StepGamma), StepGamma, "in (0, 1]");
        if (PlateauPatience < 0) throw OutOfRange(nameof(PlateauPatience), PlateauPatience, "0 or more");
        MlNetTransferException.ThrowIfUndefined(Monitor, $"{nameof(TrainSettings.Training)}.{nameof(Monitor)}", $"TrainingOptions.{nameof(Monitor)}");
        MlNetTransferException.ThrowIfUndefined(Optimizer, $"{nameof(TrainSettings.Training)}.{nameof(Optimizer)}", $"TrainingOptions.{nameof(Optimizer)}");
        MlNetTransferException.ThrowIfUndefined(Schedule, $"{nameof(TrainSettings.Training)}.{nameof(Schedule)}", $"TrainingOptions.{nameof(Schedule)}");
        MlNetTransferException.ThrowIfUndefined(Scaling, $"{nameof(TrainSettings.Training)}.{nameof(Scaling)}", $"TrainingOptions.{nameof(Scaling)}");
    }

    private static MlNetTransferException OutOfRange(string name, object value, string range) =>
        new(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"TrainingOptions.{name} must be {range}, not {value}."), $"{nameof(TrainSettings.Training)}.{name}");
}
