using Microsoft.ML;
using MlNetTransfer.Tests.Support;
using MlNetTransfer.Vision; // the one line that changes: was `using Microsoft.ML.Vision;`

namespace MlNetTransfer.Tests.Vision;

/// <summary>
/// ML.NET's image classification sample (DeepLearning_ImageClassification_Training), ported: load image paths,
/// MapValueToKey, the trainer, MapKeyToValue; train, save, load, predict. Only the trainer's namespace differs.
/// </summary>
[Trait("Category", "Slow")]
public class ImageClassificationTrainerTests
{
    public class ImageData
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }

    public class ModelInput
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }

    public class ModelOutput
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }

    private static IEnumerable<ImageData> LoadImagesFromDirectory(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".jpg" or ".png")
            .Select(f => new ImageData { ImagePath = f, Label = Directory.GetParent(f)!.Name });

    [Fact]
    public void TheSamplePipelinePortsByChangingTheTrainerOnlyAndTrainsSavesAndPredicts()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("assets"), perClass: 20);
        var log = new List<ImageClassificationTrainer.ImageClassificationMetrics>();

        var mlContext = new MLContext(seed: 1);
        IDataView imageData = mlContext.Data.LoadFromEnumerable(LoadImagesFromDirectory(dir.Combine("assets")));
        IDataView shuffledData = mlContext.Data.ShuffleRows(imageData);
        var preprocessingPipeline = mlContext.Transforms.Conversion.MapValueToKey(inputColumnName: "Label", outputColumnName: "LabelAsKey");
        IDataView preProcessedData = preprocessingPipeline.Fit(shuffledData).Transform(shuffledData);
        var trainSplit = mlContext.Data.TrainTestSplit(data: preProcessedData, testFraction: 0.3);
        var validationTestSplit = mlContext.Data.TrainTestSplit(trainSplit.TestSet, testFraction: 0.5);
        IDataView trainSet = trainSplit.TrainSet;
        IDataView validationSet = validationTestSplit.TrainSet;
        IDataView testSet = validationTestSplit.TestSet;

        var classifierOptions = new ImageClassificationTrainer.Options
        {
            FeatureColumnName = "ImagePath",
            LabelColumnName = "LabelAsKey",
            ValidationSet = validationSet,
            MetricsCallback = metrics => log.Add(metrics),
            WorkspacePath = dir.Combine("workspace"),
            Epoch = 20,
        };
        var trainingPipeline = mlContext.MulticlassClassification.Trainers.ImageClassification(classifierOptions)
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        using var trainedModel = trainingPipeline.Fit(trainSet);

        Assert.NotEmpty(log);
        Assert.Contains(log, m => m.Train?.DatasetUsed == ImageClassificationTrainer.ImageClassificationMetrics.Dataset.Validation);

        // Predict in memory, then through a saved and reloaded model: the same labels.
        var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(trainedModel);
        var testImages = mlContext.Data.CreateEnumerable<ModelInput>(testSet, reuseRowObject: false).ToList();
        var inMemory = testImages.Select(i => engine.Predict(i)).ToList();
        string zip = dir.Combine("model.zip");
        mlContext.Model.Save(trainedModel, trainSet.Schema, zip);
        var loaded = new MLContext().Model.Load(zip, out _);
        using var disposeLoaded = (IDisposable)loaded;
        var reloadedEngine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(loaded);
        var reloaded = testImages.Select(i => reloadedEngine.Predict(i)).ToList();

        Assert.Equal(inMemory.Select(p => p.PredictedLabel), reloaded.Select(p => p.PredictedLabel));
        Assert.All(inMemory, p => Assert.Contains(p.PredictedLabel, new[] { "circle", "square", "triangle" }));
        Assert.All(inMemory, p => Assert.Equal(1.0, p.Score.Sum(), 3));
        Assert.True(inMemory.Count >= 5, $"{inMemory.Count} test images");
        double accuracy = inMemory.Count(p => p.PredictedLabel == p.Label) / (double)inMemory.Count;
        Assert.True(accuracy >= 0.6, $"test accuracy {accuracy:F2} on {inMemory.Count} images");
    }

    // Options.Precision = Int8 (MlNetTransfer's own option): calibrated on the training images, kept in the workspace,
    // and the fitted model runs the int8 network: its probabilities differ from fp32's in the last digits, not in the labels.
    [Fact]
    public void Int8PrecisionCalibratesInTheWorkspaceAndPredictsCloseToFp32()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("assets"), perClass: 8);
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Transforms.Conversion.MapValueToKey("LabelAsKey", "Label").Fit(mlContext.Data.LoadFromEnumerable(LoadImagesFromDirectory(dir.Combine("assets"))));
        var images = data.Transform(mlContext.Data.LoadFromEnumerable(LoadImagesFromDirectory(dir.Combine("assets"))));
        List<ModelOutput> Predict(MlNetTransfer.Backbones.Precision precision)
        {
            var options = new ImageClassificationTrainer.Options { FeatureColumnName = "ImagePath", LabelColumnName = "LabelAsKey", WorkspacePath = dir.Combine("workspace"), Epoch = 5, Precision = precision };
            using var model = mlContext.MulticlassClassification.Trainers.ImageClassification(options).Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(images);
            var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
            return LoadImagesFromDirectory(dir.Combine("assets")).Select(i => engine.Predict(new ModelInput { ImagePath = i.ImagePath, Label = i.Label })).ToList();
        }

        var fp32 = Predict(MlNetTransfer.Backbones.Precision.Fp32);
        var int8 = Predict(MlNetTransfer.Backbones.Precision.Int8);

        Assert.Single(Directory.GetFiles(dir.Combine("workspace"), "int8-calibration-*.json", SearchOption.AllDirectories));
        Assert.NotEqual(fp32.Select(p => p.Score[0]), int8.Select(p => p.Score[0]));
        Assert.True(fp32.Zip(int8).Count(p => p.First.PredictedLabel == p.Second.PredictedLabel) >= fp32.Count - 1, "int8 and fp32 labels agree");
    }
}
