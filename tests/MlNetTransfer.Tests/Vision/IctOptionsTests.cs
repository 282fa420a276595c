using Microsoft.ML;
using Microsoft.ML.Trainers;
using MlNetTransfer.Tests.Support;
using MlNetTransfer.Vision;

namespace MlNetTransfer.Tests.Vision;

public class IctOptionsTests
{
    public class ImageData
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }

    // Code that sets every option of ML.NET's ImageClassificationTrainer compiles (an architecture this tool does not
    // ship is a compile-time warning) and runs: the architecture is said once, as a warning on MLContext.Log; the
    // callback gets ML.NET's metrics; the workspace gets the bottleneck CSV files and the final model.
#pragma warning disable CS0618 // the obsolete TensorFlow architecture is what a user's ported code has
    [Fact]
    public void EveryOptionOfMlNetsTrainerCompilesAndAnArchitectureNotShippedIsSaidOnce()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("images"), perClass: 6, size: 48);
        var mlContext = new MLContext(seed: 1);
        var warnings = new List<string>();
        mlContext.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        var rows = Directory.GetFiles(dir.Combine("images"), "*.jpg", SearchOption.AllDirectories)
            .Select(f => new ImageData { ImagePath = f, Label = Directory.GetParent(f)!.Name });
        var data = mlContext.Transforms.Conversion.MapValueToKey("LabelAsKey", "Label")
            .Append(mlContext.Transforms.LoadRawImageBytes("Image", null, "ImagePath"))
            .Fit(mlContext.Data.LoadFromEnumerable(rows)).Transform(mlContext.Data.LoadFromEnumerable(rows));
        var metrics = new List<ImageClassificationTrainer.ImageClassificationMetrics>();

        var options = new ImageClassificationTrainer.Options
        {
            FeatureColumnName = "Image",
            LabelColumnName = "LabelAsKey",
            Arch = ImageClassificationTrainer.Architecture.MobilenetV2,
            Epoch = 30,
            BatchSize = 10,
            LearningRate = 0.01f,
            EarlyStoppingCriteria = new ImageClassificationTrainer.EarlyStopping(minDelta: 0.001f, patience: 5, metric: ImageClassificationTrainer.EarlyStoppingMetric.Loss, checkIncreasing: false),
            LearningRateScheduler = new PolynomialLRDecay(learningRate: 0.02f, numEpochsPerDecay: 10),
            MetricsCallback = m => metrics.Add(m),
            ValidationSet = null,
            ValidationSetFraction = 0.25f,
            TestOnTrainSet = false,
            WorkspacePath = dir.Combine("workspace"),
            ReuseTrainSetBottleneckCachedValues = true,
            ReuseValidationSetBottleneckCachedValues = false,
            TrainSetBottleneckCachedValuesFileName = "train.csv",
            ValidationSetBottleneckCachedValuesFileName = "validation.csv",
            FinalModelPrefix = "final_",
            ScoreColumnName = "Score",
            PredictedLabelColumnName = "PredictedLabel",
        };
        var model = mlContext.MulticlassClassification.Trainers.ImageClassification(options).Fit(data);

        Assert.Equal("MobilenetV2", Assert.Single(warnings, w => w.Contains("Arch = ")).Split("Arch = ")[1].Split(' ')[0]);
        Assert.Contains("ResNet18 is used", warnings.Single(w => w.Contains("Arch = ")));
        Assert.Equal(18, metrics.Count(m => m.Bottleneck is not null));
        Assert.Contains(metrics, m => m.Bottleneck is { DatasetUsed: ImageClassificationTrainer.ImageClassificationMetrics.Dataset.Validation, Index: 1 });
        Assert.DoesNotContain(metrics, m => m.Train?.DatasetUsed == ImageClassificationTrainer.ImageClassificationMetrics.Dataset.Train); // TestOnTrainSet = false
        var validationEpochs = metrics.Where(m => m.Train is not null).Select(m => m.Train!).ToList();
        Assert.InRange(validationEpochs.Count, 6, 30); // early stopping on the loss, patience 5
        Assert.Equal(0, validationEpochs[0].Epoch);
        var train = File.ReadAllLines(dir.Combine("workspace", "train.csv"));
        var validation = File.ReadAllLines(dir.Combine("workspace", "validation.csv"));
        Assert.Equal((12, 6), (train.Length, validation.Length));
        Assert.All(train.Concat(validation), line => Assert.Equal(513, line.Split(',').Length)); // label index, 512 features
        Assert.True(new FileInfo(dir.Combine("workspace", "final_resnet18.onnx")).Length > 40_000_000);
        Assert.Equal(["Image", "ImagePath", "Label", "LabelAsKey", "PredictedLabel", "Score"], model.GetOutputSchema(data.Schema).Where(c => !c.IsHidden).Select(c => c.Name).Order());
    }
#pragma warning restore CS0618

    // ML.NET's schedulers by their formulas: exponential decay (staircase every 2 epochs) and polynomial decay.
    [Fact]
    public void MlNetsLearningRateSchedulersGiveTheirRates()
    {
        var exponential = LearningRates.From(new ExponentialLRDecay(learningRate: 0.01f, numEpochsPerDecay: 2, decayRate: 0.94f, staircase: true))!;
        Assert.Equal(0.01f, exponential(1, 3, 4), 6);                 // step 7 < 8: no decay yet
        Assert.Equal(0.01f * 0.94f, exponential(2, 0, 4), 6);         // step 8: one decay
        Assert.Equal(0.01f * MathF.Pow(0.94f, 5), exponential(10, 2, 4), 6);
        var polynomial = LearningRates.From(new PolynomialLRDecay(learningRate: 0.1f, numEpochsPerDecay: 1, endLearningRate: 0.01f, power: 1))!;
        Assert.Equal(0.1f, polynomial(0, 0, 10), 6);
        Assert.Equal(0.055f, polynomial(0, 5, 10), 6);                // halfway down
        Assert.Equal(0.01f, polynomial(3, 0, 10), 6);                 // past the decay steps
    }
}
