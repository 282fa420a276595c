using Microsoft.ML;
using Microsoft.ML.Data;
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
    [Trait("Category", "Slow")]
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
            LearningRate = 0f, // not used, nor refused: the scheduler sets the rate
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
        // ML.NET's columns, in its order: the input's, then the key-typed PredictedLabel, then Score. ML.NET's sample
        // reads PredictionEngine.OutputSchema[3] (after Image, Label, ImageFileName) as that key, Score slots in key order.
        Assert.Equal(["ImagePath", "Label", "LabelAsKey", "Image", "PredictedLabel", "Score"], model.GetOutputSchema(data.Schema).Where(c => !c.IsHidden).Select(c => c.Name));
        using var withText = model.Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel", "PredictedLabel").Fit(model.Transform(data)));
        var engine = mlContext.Model.CreatePredictionEngine<InMemoryImageData, ImagePrediction>(withText);
        Assert.Equal("PredictedLabel", engine.OutputSchema[3].Name);
        Microsoft.ML.Data.VBuffer<ReadOnlyMemory<char>> keys = default;
        engine.OutputSchema[3].GetKeyValues(ref keys);
        var names = keys.DenseValues().Select(k => k.ToString()).ToList();
        foreach (var file in Directory.GetFiles(dir.Combine("images", "square")))
        {
            var prediction = engine.Predict(new InMemoryImageData { Image = File.ReadAllBytes(file), Label = "", ImageFileName = Path.GetFileName(file) });
            Assert.Equal(prediction.PredictedLabel, names[Array.IndexOf(prediction.Score, prediction.Score.Max())]);
        }
    }

    public class InMemoryImageData
    {
        public byte[] Image = [];
        public string Label = "";
        public string ImageFileName = "";
    }

    public class ImagePrediction
    {
        public float[] Score = [];
        public string PredictedLabel = "";
    }

    public class NumberedImage
    {
        public byte[] Image { get; set; } = [];
        public int Kind { get; set; }
    }

    // Labels that are numbers (a key over ints) train too; the classes are their text.
    [Fact]
    [Trait("Category", "Slow")]
    public void NumericLabelsTrain()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Path, perClass: 5, size: 40);
        var mlContext = new MLContext(seed: 1);
        var rows = Directory.GetDirectories(dir.Path).Order().SelectMany((d, k) => Directory.GetFiles(d).Select(f => new NumberedImage { Image = File.ReadAllBytes(f), Kind = 10 * (k + 1) })).ToList();
        var data = mlContext.Data.LoadFromEnumerable(rows);
        using var model = mlContext.Transforms.Conversion.MapValueToKey("Key", nameof(NumberedImage.Kind))
            .Append(mlContext.MulticlassClassification.Trainers.ImageClassification(labelColumnName: "Key", featureColumnName: "Image"))
            .Fit(data);
        var scored = model.Transform(data);
        Microsoft.ML.Data.VBuffer<ReadOnlyMemory<char>> keys = default;
        scored.Schema["PredictedLabel"].GetKeyValues(ref keys);
        Assert.Equal(["10", "20", "30"], keys.DenseValues().Select(k => k.ToString()));
    }
#pragma warning restore CS0618

    // ML.NET's schedulers by their formulas: exponential decay (staircase every 2 epochs) and polynomial decay.
    [Fact]
    public void MlNetsLearningRateSchedulersGiveTheirRates()
    {
        var exponential = LearningRates.From(new ExponentialLRDecay(learningRate: 0.01f, numEpochsPerDecay: 2, decayRate: 0.94f, staircase: true))!;
        Assert.Equal(0.01f, exponential.RateAt(1, 3, 4), 6);                 // step 7 < 8: no decay yet
        Assert.Equal(0.01f * 0.94f, exponential.RateAt(2, 0, 4), 6);         // step 8: one decay
        Assert.Equal(0.01f * MathF.Pow(0.94f, 5), exponential.RateAt(10, 2, 4), 6);
        var polynomial = LearningRates.From(new PolynomialLRDecay(learningRate: 0.1f, numEpochsPerDecay: 1, endLearningRate: 0.01f, power: 1))!;
        Assert.Equal(0.1f, polynomial.RateAt(0, 0, 10), 6);
        Assert.Equal(0.055f, polynomial.RateAt(0, 5, 10), 6);                // halfway down
        Assert.Equal(0.01f, polynomial.RateAt(3, 0, 10), 6);                 // past the decay steps
    }
}
