using MlNetTransfer.Training;

namespace MlNetTransfer.Tests.Training;

public class TrainingOptionsTests
{
    private static readonly FeatureSet Train = SyntheticFeatures.Clusters(40, 3, 32, 0.6, seed: 11);
    private static readonly FeatureSet Validation = SyntheticFeatures.Clusters(15, 3, 32, 0.6, seed: 11);

    private static TrainingResult Run(Action<TrainingOptions> set)
    {
        var options = new TrainingOptions { Epochs = 15, Patience = 0 };
        set(options);
        return HeadTrainer.Train(Train, Validation, 3, options);
    }

    private static double Norm(HeadWeights w) => Math.Sqrt(w.Layers.Sum(l => l.Weights.Sum(v => (double)v * v)));

    // Features with an offset and very different spreads per dimension, as pooled ReLU features have.
    [Theory]
    [InlineData(FeatureScaling.None)]
    [InlineData(FeatureScaling.Center)]
    [InlineData(FeatureScaling.Standardize)]
    public void ScalingTransformsTheFeaturesAsDocumented(FeatureScaling scaling)
    {
        var raw = SyntheticFeatures.Clusters(40, 3, 8, 0.6, seed: 5);
        var skewed = new FeatureSet(Enumerable.Range(0, raw.Count).Select(i => raw.Row(i).ToArray().Select((v, k) => 5 + v * (1 + 3 * k)).ToArray()).ToList(), raw.Labels.ToList());
        var weights = HeadTrainer.Train(skewed, skewed, 3, new TrainingOptions { Epochs = 1, Scaling = scaling }).BestWeights;
        var columns = Enumerable.Range(0, 8).Select(k => Enumerable.Range(0, skewed.Count)
            .Select(i => (skewed.Row(i)[k] - weights.FeatureMean[k]) * weights.FeatureScale[k]).ToArray()).ToArray();
        double Mean(float[] c) => c.Average();
        double Variance(float[] c) => c.Select(v => (v - Mean(c)) * (v - Mean(c))).Average();
        switch (scaling)
        {
            case FeatureScaling.None:
                Assert.All(weights.FeatureMean, m => Assert.Equal(0f, m));
                Assert.All(weights.FeatureScale, s => Assert.Equal(1f, s));
                break;
            case FeatureScaling.Center:
                Assert.All(columns, c => Assert.Equal(0, Mean(c), 3));
                Assert.All(weights.FeatureScale, s => Assert.Equal(weights.FeatureScale[0], s)); // one scale: no reweighting
                Assert.Equal(1, columns.Average(Variance), 2);
                Assert.True(Variance(columns[7]) > 10 * Variance(columns[0]));
                break;
            case FeatureScaling.Standardize:
                Assert.All(columns, c => Assert.Equal(0, Mean(c), 3));
                Assert.All(columns, c => Assert.Equal(1, Variance(c), 2));
                break;
        }
    }

    [Fact]
    public void AdamLearns()
    {
        var result = Run(o => { o.Optimizer = OptimizerKind.Adam; o.LearningRate = 0.001f; });
        Assert.True(result.Best.ValidationAccuracy > 0.95, $"{result.Best.ValidationAccuracy}");
        Assert.NotEqual(Run(_ => { }).BestWeights.Layers[0].Weights, result.BestWeights.Layers[0].Weights);
    }

    [Fact]
    public void WeightDecayShrinksTheWeights()
    {
        var plain = Run(o => o.Epochs = 30);
        var decayed = Run(o => { o.Epochs = 30; o.WeightDecay = 0.05f; });
        Assert.True(Norm(decayed.BestWeights) < Norm(plain.BestWeights) * 0.95, $"{Norm(decayed.BestWeights)} vs {Norm(plain.BestWeights)}");
    }

    [Fact]
    public void LabelSmoothingMakesPredictionsLessCertain()
    {
        double MeanTop(TrainingResult r) => HeadTrainer.Predict(r.BestWeights, Validation).Average(p => p.Max());
        var plain = Run(_ => { });
        var smoothed = Run(o => o.LabelSmoothing = 0.2f);
        Assert.True(MeanTop(smoothed) < MeanTop(plain) - 0.01, $"{MeanTop(smoothed)} vs {MeanTop(plain)}");
    }

    [Fact]
    public void AStepScheduleWithATinyFactorFreezesTheHeadAfterTheFirstStep()
    {
        var frozen = Run(o => { o.Schedule = LearningRateSchedule.Step; o.StepSize = 1; o.StepGamma = 1e-7f; o.Dropout = 0; });
        var plain = Run(o => o.Dropout = 0);
        Assert.Equal(frozen.Epochs[2].ValidationLoss, frozen.Epochs[5].ValidationLoss, 3);
        Assert.NotEqual(plain.Epochs[2].ValidationLoss, plain.Epochs[5].ValidationLoss, 3);
    }

    [Fact]
    public void BalancingRaisesTheRecallOfARareClass()
    {
        // 150 of class 0, 10 of class 1, overlapping: unweighted training favours the common class.
        var common = SyntheticFeatures.Clusters(150, 2, 16, 2.5, seed: 3);
        var features = Enumerable.Range(0, common.Count).Where(i => common.Labels[i] == 0).Select(i => common.Row(i).ToArray())
            .Concat(Enumerable.Range(0, common.Count).Where(i => common.Labels[i] == 1).Take(10).Select(i => common.Row(i).ToArray())).ToList();
        var labels = Enumerable.Repeat(0, 150).Concat(Enumerable.Repeat(1, 10)).ToList();
        var imbalanced = new FeatureSet(features, labels);
        var test = SyntheticFeatures.Clusters(100, 2, 16, 2.5, seed: 3);
        double Recall(bool balance)
        {
            var r = HeadTrainer.Train(imbalanced, test, 2, new TrainingOptions { Epochs = 20, Patience = 0, Balance = balance });
            var p = HeadTrainer.Predict(r.BestWeights, test);
            var rare = Enumerable.Range(0, test.Count).Where(i => test.Labels[i] == 1).ToList();
            return rare.Count(i => p[i][1] > p[i][0]) / (double)rare.Count;
        }
        Assert.True(Recall(true) > Recall(false), $"{Recall(true)} vs {Recall(false)}");
    }
}
