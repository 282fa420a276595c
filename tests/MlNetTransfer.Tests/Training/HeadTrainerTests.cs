using MlNetTransfer.Training;

namespace MlNetTransfer.Tests.Training;

public class HeadTrainerTests
{
    [Fact]
    public void LearnsSeparableClusters()
    {
        var train = SyntheticFeatures.Clusters(40, 3, 16, 0.2, seed: 1);
        var validation = SyntheticFeatures.Clusters(10, 3, 16, 0.2, seed: 1);
        var result = HeadTrainer.Train(train, validation, 3, new TrainingOptions { Epochs = 30 });
        Assert.Equal(1.0, result.Best.ValidationAccuracy);
    }

    [Fact]
    public void SameSeedGivesSameWeightsAndMetrics()
    {
        var train = SyntheticFeatures.Clusters(30, 3, 8, 0.8, seed: 2);
        var validation = SyntheticFeatures.Clusters(10, 3, 8, 0.8, seed: 3);
        var options = new TrainingOptions { Epochs = 8, Seed = 5 };
        var a = HeadTrainer.Train(train, validation, 3, options);
        var b = HeadTrainer.Train(train, validation, 3, options);
        var c = HeadTrainer.Train(train, validation, 3, new TrainingOptions { Epochs = 8, Seed = 6 });
        Assert.Equal(a.BestWeights.Layers[0].Weights, b.BestWeights.Layers[0].Weights);
        Assert.Equal(a.Epochs.Select(e => e.ValidationLoss), b.Epochs.Select(e => e.ValidationLoss));
        Assert.NotEqual(a.BestWeights.Layers[0].Weights, c.BestWeights.Layers[0].Weights);
    }

    // Few noisy training samples and a large learning rate: validation loss bottoms out early and then climbs as the
    // head memorises the noise. The returned weights must be the best epoch's, and early stopping must end the run.
    [Fact]
    public void KeepsTheBestEpochWhenLaterEpochsGetWorseAndStopsEarly()
    {
        var train = SyntheticFeatures.Clusters(12, 2, 64, 1.5, seed: 4, labelNoise: 0.3);
        var validation = SyntheticFeatures.Clusters(50, 2, 64, 1.5, seed: 4);
        var options = new TrainingOptions { Epochs = 200, Patience = 8, LearningRate = 0.05f, Dropout = 0 };

        var result = HeadTrainer.Train(train, validation, 2, options);

        Assert.True(result.StoppedEarly);
        Assert.True(result.Epochs.Count < 200);
        Assert.Equal(result.BestEpoch + options.Patience, result.Epochs.Count);
        var last = result.Epochs[^1];
        Assert.True(last.ValidationLoss > result.Best.ValidationLoss, "later epochs must be worse for this test to mean anything");
        Assert.Equal(result.Best.ValidationLoss, ValidationLoss(result.BestWeights, validation), 4);
        Assert.Equal(result.Epochs.Min(e => e.ValidationLoss), result.Best.ValidationLoss);
        Assert.Single(result.Epochs, e => e.IsBest && e.Epoch == result.BestEpoch);
    }

    // Products are split across threads by output column only, so the thread count cannot change a single sum.
    [Fact]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        var train = SyntheticFeatures.Clusters(150, 2, 512, 1.0, seed: 8);
        var validation = SyntheticFeatures.Clusters(150, 2, 512, 1.0, seed: 9); // 300 rows: evaluation runs on several threads
        var one = HeadTrainer.Train(train, validation, 2, new TrainingOptions { Epochs = 3, Patience = 0, Threads = 1 });
        var two = HeadTrainer.Train(train, validation, 2, new TrainingOptions { Epochs = 3, Patience = 0, Threads = 2 });
        Assert.Equal(one.BestWeights.Layers[0].Weights, two.BestWeights.Layers[0].Weights);
        Assert.Equal(one.Epochs.Select(e => e.ValidationLoss), two.Epochs.Select(e => e.ValidationLoss));
    }

    [Fact]
    public void PatienceZeroRunsEveryEpoch()
    {
        var train = SyntheticFeatures.Clusters(10, 2, 8, 1.0, seed: 5);
        var result = HeadTrainer.Train(train, train, 2, new TrainingOptions { Epochs = 12, Patience = 0 });
        Assert.Equal(12, result.Epochs.Count);
        Assert.False(result.StoppedEarly);
    }

    [Fact]
    public void LinearHeadWhenHiddenIsZero()
    {
        var train = SyntheticFeatures.Clusters(20, 3, 8, 0.3, seed: 6);
        var result = HeadTrainer.Train(train, train, 3, new TrainingOptions { Hidden = 0, Epochs = 20 });
        Assert.Single(result.BestWeights.Layers);
        Assert.True(result.Best.ValidationAccuracy > 0.9);
    }

    [Fact]
    public void BadOptionsNameTheSetting()
    {
        var set = SyntheticFeatures.Clusters(4, 2, 4, 1, seed: 1);
        var e = Assert.Throws<MlNetTransferException>(() => HeadTrainer.Train(set, set, 2, new TrainingOptions { LearningRate = -1 }));
        Assert.Equal("Training.LearningRate", e.Setting);
        Assert.Contains("TrainingOptions.LearningRate", e.Message);
    }

    [Fact]
    public void EarlyStoppingOnAccuracyPrefersHigherAccuracy()
    {
        var stopping = new EarlyStopping(MonitorMetric.Accuracy, patience: 2, minDelta: 0);
        Assert.True(stopping.Record(1, 0.5, 0.7));
        Assert.False(stopping.Record(2, 0.4, 0.6));
        Assert.True(stopping.Record(3, 0.6, 0.8));
        Assert.False(stopping.Record(4, 0.6, 0.8));
        Assert.False(stopping.ShouldStop);
        Assert.False(stopping.Record(5, 0.7, 0.7));
        Assert.True(stopping.ShouldStop);
        Assert.Equal(3, stopping.BestEpoch);
    }

    private static double ValidationLoss(HeadWeights weights, FeatureSet set)
    {
        double sum = 0;
        for (int i = 0; i < set.Count; i++)
            sum -= Math.Log(HeadTrainer.Predict(weights, set.Row(i))[set.Labels[i]]);
        return sum / set.Count;
    }
}
