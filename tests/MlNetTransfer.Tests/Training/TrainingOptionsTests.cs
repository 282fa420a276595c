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
