using MlNetTransfer.Backbones;
using MlNetTransfer.Cli;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Backbones;

public class CustomBackboneTests
{
    [Fact]
    public void ThePooledNodeAndFeatureSizeAreFoundAndImageNetPreprocessingIsTheDefault()
    {
        using var dir = new TempDir();
        string onnx = dir.Combine("tiny-resnet.onnx");
        TinyClassifier.Write(onnx);

        var b = CustomBackbone.Describe(onnx);

        Assert.Equal(TinyClassifier.PooledNode, b.FeatureNode);
        Assert.Equal(TinyClassifier.Channels, b.FeatureSize);
        Assert.Equal("input", b.InputNode);
        Assert.Equal(224, b.InputSize);
        Assert.Equal(256, b.ResizeTo);
        Assert.Equal(CustomBackbone.ImageNetMean, b.Mean);
        Assert.Equal(CustomBackbone.ImageNetStd, b.Std);
        Assert.Equal(1f / 255f, b.PixelScale);
    }

    [Fact]
    public void TheJsonBesideTheFileAndFlagsOverrideTheDefaults()
    {
        using var dir = new TempDir();
        string onnx = dir.Combine("net.onnx");
        TinyClassifier.Write(onnx);
        File.WriteAllText(dir.Combine("net.json"), """{ "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "scale": "0-255" }""");

        var fromJson = CustomBackbone.Describe(onnx);
        var fromFlags = CustomBackbone.Describe(onnx, new BackbonePreprocessing { Std = [2f, 2f, 2f], Bgr = true });

        Assert.NotNull(fromJson.Mean);
        Assert.NotNull(fromFlags.Mean);
        Assert.NotNull(fromFlags.Std);
        Assert.Equal([0.5f, 0.5f, 0.5f], fromJson.Mean);
        Assert.Equal(1f, fromJson.PixelScale);
        Assert.Equal([2f, 2f, 2f], fromFlags.Std);
        Assert.Equal([0.5f, 0.5f, 0.5f], fromFlags.Mean);
        Assert.True(fromFlags.Bgr);
        Assert.NotEqual(fromJson.PreprocessingSignature, fromFlags.PreprocessingSignature);
    }

    [Fact]
    public void FilesThatAreNotSuchModelsGetClearErrors()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("notes.onnx"), "this is not a model");
        TinyClassifier.Write(dir.Combine("headless.onnx"), withClassifier: false);

        Assert.Contains("not an ONNX model", Assert.Throws<InvalidDataException>(() => CustomBackbone.Describe(dir.Combine("notes.onnx"))).Message);
        var headless = Assert.Throws<MlNetTransferException>(() => CustomBackbone.Describe(dir.Combine("headless.onnx")));
        Assert.Contains("BackbonePreprocessing.FeatureNode", headless.Message);
        Assert.DoesNotContain("--", headless.Message); // the library speaks of settings; the command line adds its flag
        Assert.Equal("BackbonePreprocessing.FeatureNode", headless.Setting);
        // From the CLI, with a usable data set, so that the backbone is the one thing wrong.
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 3);
        var error = new StringWriter();
        int code = CliApp.Run(["train", "--data", dir.Combine("data"), "--backbone", dir.Combine("notes.onnx"), "--output", dir.Combine("run"), "--cache", dir.Combine("cache")],
            new StringWriter(), error);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.Contains("notes.onnx is not an ONNX model", error.ToString());
        Assert.False(Directory.Exists(dir.Combine("cache")), "no image was extracted with the wrong backbone");
    }

    // The whole path with a user's backbone: train, then the samples/ consumer (ML.NET packages only) reproduces the
    // trainer's validation probabilities from the saved .zip, exactly as with the embedded backbone.
    [Fact]
    [Trait("Category", "Slow")]
    public void AnOnnxBackboneTrainsAndItsZipRunsInTheSeparateConsumer()
    {
        using var dir = new TempDir();
        string onnx = dir.Combine("tiny-resnet.onnx");
        TinyClassifier.Write(onnx);
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 6);
        var report = ImageClassifier.Train(new TrainSettings
        {
            DataFolder = dir.Combine("data"),
            OutputFolder = dir.Combine("run"),
            CacheFolder = dir.Combine("cache"),
            Backbone = onnx,
            Training = { Epochs = 5 },
        });
        Assert.Equal("tiny-resnet.onnx", report.Backbone);

        ConsumerProcess.AssertReproduces(report.ModelPath, report.ValidationPredictions);

        // Grad-CAM finds the user's backbone's map before its pool (the tiny network's: 4 × 4 cells at 32 pixels).
        using (var predictor = new MlNetTransfer.Model.ImagePredictor(report.ModelPath))
        {
            var explanation = predictor.Explain(report.ValidationPredictions[0].ImagePath);
            Assert.Equal(report.ValidationPredictions[0].PredictedLabel, explanation.Prediction.PredictedLabel);
            Assert.True(explanation.HeatmapWidth > 1 && explanation.HeatmapWidth == explanation.HeatmapHeight, $"{explanation.HeatmapWidth} × {explanation.HeatmapHeight}");
        }

        // Batched evaluation finds the backbone through the model's own description.
        var evaluation = ImageClassifier.Evaluate(report.ModelPath, dir.Combine("data"), dir.Combine("cache"));
        Assert.Equal(18, evaluation.Count);
    }
}
