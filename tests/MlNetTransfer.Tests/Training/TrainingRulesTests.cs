using MlNetTransfer.Training;

namespace MlNetTransfer.Tests.Training;

public class TrainingRulesTests
{
    private static EpochMetrics Epoch(int epoch, double validationLoss) => new(epoch, 1, 0.5, validationLoss, 0.5, false, 0.1);

    [Fact]
    public void TheSettingsScheduleStepsCosinesAndLowersOnAPlateau()
    {
        var step = new SettingsSchedule(new TrainingOptions { LearningRate = 0.1f, Schedule = LearningRateSchedule.Step, StepSize = 2, StepGamma = 0.5f });
        Assert.Equal([0.1f, 0.1f, 0.05f, 0.05f, 0.025f], Enumerable.Range(0, 5).Select(e => step.RateAt(e, 0, 10)));
        var cosine = new SettingsSchedule(new TrainingOptions { LearningRate = 0.1f, Schedule = LearningRateSchedule.Cosine, Epochs = 4 });
        Assert.Equal(0.05f, cosine.RateAt(2, 7, 10), 6);

        var plateau = new SettingsSchedule(new TrainingOptions { LearningRate = 0.1f, Schedule = LearningRateSchedule.Plateau, PlateauPatience = 2, StepGamma = 0.1f });
        double[] losses = [1.0, 0.9, 0.95, 0.92, 0.8];
        var rates = new List<float>();
        for (int e = 0; e < losses.Length; e++)
        {
            rates.Add(plateau.RateAt(e, 0, 10));
            plateau.EpochEnded(Epoch(e + 1, losses[e]));
        }
        rates.Add(plateau.RateAt(losses.Length, 0, 10));
        Assert.Equal([0.1f, 0.1f, 0.1f, 0.1f, 0.01f, 0.01f], rates, (a, b) => Math.Abs(a - b) < 1e-7);
    }

    // A stop rule decides when to stop, in place of patience; the best epoch is still the monitored metric's.
    [Fact]
    public void AStopRuleEndsTrainingAndTheBestEpochStaysTheMonitors()
    {
        var random = new Random(2);
        FeatureSet Set(int n) => new(Enumerable.Range(0, n).Select(i => Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble() + (i % 2) * 0.5f).ToArray()).ToList(),
            Enumerable.Range(0, n).Select(i => i % 2).ToList());
        var options = new TrainingOptions { Epochs = 20, Patience = 0 };
        var result = HeadTrainer.Train(Set(40), Set(20), 2, options, rules: TrainingRules.Of(options) with { Stop = new StopAt(3) });
        Assert.True(result.StoppedEarly);
        Assert.Equal(3, result.Epochs.Count);
        Assert.InRange(result.BestEpoch, 1, 3);
    }

    private sealed class StopAt(int epoch) : IStopRule
    {
        public bool ShouldStop(EpochMetrics metrics) => metrics.Epoch >= epoch;
    }
}
