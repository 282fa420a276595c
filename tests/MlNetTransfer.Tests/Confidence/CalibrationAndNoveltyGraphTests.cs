using Microsoft.ML.OnnxRuntime;
using MlNetTransfer.Backbones;
using MlNetTransfer.Confidence;
using MlNetTransfer.Model;
using MlNetTransfer.Tests.Support;
using MlNetTransfer.Training;

namespace MlNetTransfer.Tests.Confidence;

public class CalibrationAndNoveltyGraphTests
{
    // Logits 4× too sure of themselves on data whose labels follow the unscaled logits: the fit must find T near 4.
    [Fact]
    public void TheTemperatureFitLowersTheNllOfOverconfidentLogits()
    {
        var random = new Random(3);
        var logits = new List<float[]>();
        var labels = new List<int>();
        for (int i = 0; i < 3000; i++)
        {
            var z = Enumerable.Range(0, 3).Select(_ => (float)(random.NextDouble() * 4)).ToArray();
            var p = z.Select(v => Math.Exp(v)).ToArray();
            double u = random.NextDouble() * p.Sum();
            int label = 0;
            for (double sum = p[0]; sum < u; sum += p[++label]) { }
            logits.Add(z.Select(v => v * 4).ToArray());
            labels.Add(label);
        }

        var fitted = TemperatureScaling.Fit(logits, labels);
        var off = TemperatureScaling.Fit(logits, labels, fit: false);

        Assert.InRange(fitted.Temperature, 3.4, 4.6);
        Assert.True(fitted.NllAfter < fitted.NllBefore - 0.3, $"NLL {fitted.NllBefore} → {fitted.NllAfter}");
        Assert.True(fitted.EceAfter < fitted.EceBefore / 3, $"ECE {fitted.EceBefore} → {fitted.EceAfter}");
        Assert.Null(fitted.Skipped);
        Assert.Equal(1, off.Temperature);
        Assert.Equal(off.EceBefore, off.EceAfter);
    }

    // Every validation image right: the NLL falls without end as T shrinks, so the search would stop at its lower end
    // (T = 0.05, every score about 1); T stays 1 and the report says why.
    [Fact]
    public void SeparableLogitsKeepTheTemperatureAtOneAndSayWhy()
    {
        var random = new Random(5);
        var labels = Enumerable.Range(0, 300).Select(i => i % 3).ToList();
        var logits = labels.Select(label => Enumerable.Range(0, 3).Select(k => (float)(random.NextDouble() + (k == label ? 1.5 : 0))).ToArray()).ToList();

        var report = TemperatureScaling.Fit(logits, labels);

        Assert.True(TemperatureScaling.Nll(logits, labels, 0.05) < TemperatureScaling.Nll(logits, labels, 1), "the search would have gone to its lower end");
        Assert.Equal(1, report.Temperature);
        Assert.Contains("every validation image is classified right", report.Skipped);
        Assert.Equal(report.NllBefore, report.NllAfter);

        // Every image wrong: the NLL falls as T grows, to the upper end.
        var wrong = TemperatureScaling.Fit(logits, labels.Select(label => (label + 1) % 3).ToList());
        Assert.Equal(1, wrong.Temperature);
        Assert.Contains("is an end of the search range [0.05, 20]", wrong.Skipped);
    }

    // The saved graph (here on a tiny custom backbone) divides the logits by T and computes the novelty and flag as the
    // C# detector does: the head part is what predict and evaluate run on features.
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void TheGraphsScoreIsTheSoftmaxOfTheLogitsOverTheTemperatureAndItsNoveltyTheDetectors(int neighbours)
    {
        using var dir = new TempDir();
        string onnx = dir.Combine("tiny.onnx");
        TinyClassifier.Write(onnx);
        var backbone = CustomBackbone.Describe(onnx);
        int f = backbone.FeatureSize, classes = 3;
        var random = new Random(11);
        FeatureSet Set(int count) => new(
            Enumerable.Range(0, count).Select(i => Enumerable.Range(0, f).Select(k => (float)(random.NextDouble() + (k % classes == i % classes ? 2 : 0))).ToArray()).ToList(),
            Enumerable.Range(0, count).Select(i => i % classes).ToList());
        var train = Set(60);
        var validation = Set(40);
        var layer = new DenseLayer(f, classes);
        for (int i = 0; i < layer.Weights.Length; i++) layer.Weights[i] = (float)(random.NextDouble() - 0.5);
        var head = new HeadWeights(new float[f], Enumerable.Repeat(1f, f).ToArray(), [layer]);
        var detector = NoveltyDetector.Fit(train, validation, neighbours);
        const double temperature = 2.5;

        var graph = SavedGraph.Parse(ClassifierGraph.BuildMlNetGraph(backbone, head, ["a", "b", "c"], temperature: temperature, novelty: detector), classes);
        using var session = new InferenceSession(graph.HeadPart());
        var input = validation.Values;
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [validation.Count, f]);
        using var results = session.Run(new RunOptions(), [FeatureGraph.FeaturesOutput], [tensor], [SavedGraph.AnswerOutput]);
        var answers = results[0].GetTensorDataAsSpan<float>().ToArray();

        Assert.Equal(classes + 2, graph.AnswerSize);
        var logProbabilities = HeadTrainer.LogProbabilities(head, validation);
        int flagged = 0;
        for (int i = 0; i < validation.Count; i++)
        {
            var prediction = Prediction.FromAnswer("x", ["a", "b", "c"], answers.AsSpan(i * (classes + 2), classes + 2));
            var expected = Softmax(logProbabilities[i].Select(v => (float)(v / temperature)).ToArray());
            for (int k = 0; k < classes; k++)
                Assert.True(Math.Abs(expected[k] - prediction.Scores[k]) < 1e-5, $"image {i} class {k}: {expected[k]} vs {prediction.Scores[k]}");
            float novelty = detector.Score(validation.Row(i));
            Assert.True(Math.Abs(novelty - prediction.Novelty!.Value) < 1e-4 * Math.Max(1, Math.Abs(novelty)), $"image {i}: novelty {novelty} vs the graph's {prediction.Novelty}");
            Assert.Equal(novelty > detector.Threshold, prediction.Unknown);
            if (prediction.Unknown == true) flagged++;
        }
        Assert.InRange(flagged, 1, 4); // about 5 % of 40
    }

    private static double[] Softmax(float[] z)
    {
        var e = z.Select(v => Math.Exp(v - z.Max())).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }
}
