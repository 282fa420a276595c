using MlNetTransfer.Backbones;
using MlNetTransfer.Model;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Model;

[Trait("Category", "Slow")]
public class Int8ModelTests
{
    // train --precision int8: calibrated once (cached), the saved .zip runs the int8 graph through stock ML.NET and
    // predicts what training measured, in this process and in the separate ML.NET-only consumer; the ONNX export is
    // the quantized graph; a second run on the same images calibrates and extracts nothing.
    [Fact]
    public void AnInt8RunSavesAModelThatPredictsWhatTrainingMeasured()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 6, size: 96);
        var settings = new TrainSettings
        {
            DataFolder = dir.Combine("data"), OutputFolder = dir.Combine("run"), CacheFolder = dir.Combine("cache"),
            Training = { Epochs = 4 }, View = ImageView.Crop, Precision = Precision.Int8,
        };
        var events = new List<TrainingEvent>();
        var report = ImageClassifier.Train(settings, new SyncProgress<TrainingEvent>(e => { lock (events) events.Add(e); }));

        Assert.Equal(15, Assert.Single(events.OfType<Calibrating>()).Images);
        Assert.Equal(Precision.Int8, Assert.Single(events.OfType<PrecisionChosen>()).Choice.Precision);
        Assert.Equal(Precision.Int8, report.Precision?.Precision);
        var calibration = ModelFile.Read(report.ModelPath).Info.Int8;
        Assert.NotNull(calibration);
        Assert.Equal(15, calibration.Images);
        Assert.Single(Directory.GetFiles(dir.Combine("cache"), "int8-calibration-*.json", SearchOption.AllDirectories));

        using (var model = TrainedModel.Load(report.ModelPath))
            foreach (var expected in report.ValidationPredictions)
            {
                var actual = model.Predict(expected.ImagePath);
                Assert.Equal(expected.PredictedLabel, actual.PredictedLabel);
                for (int k = 0; k < actual.Scores.Count; k++)
                    Assert.True(Math.Abs(expected.Scores[k] - actual.Scores[k]) <= 1e-4, $"{expected.ImagePath}: {expected.Scores[k]} vs {actual.Scores[k]}");
            }
        ConsumerProcess.AssertReproduces(report.ModelPath, report.ValidationPredictions);

        // Grad-CAM reads the int8 graph's map (dequantized before its pool): ResNet18's 7 × 7.
        using (var predictor = new ImagePredictor(report.ModelPath))
        {
            var explanation = predictor.Explain(report.ValidationPredictions[0].ImagePath);
            Assert.Equal(report.ValidationPredictions[0].PredictedLabel, explanation.Prediction.PredictedLabel);
            Assert.Equal((7, 7), (explanation.HeatmapWidth, explanation.HeatmapHeight));
            Assert.InRange(explanation.Heatmap.Max(), 0.999f, 1f);
        }

        var onGpu = Assert.Throws<MlNetTransferException>(() => ImageClassifier.Evaluate(report.ModelPath, dir.Combine("data"), dir.Combine("cache"), device: MlNetTransfer.Features.ComputeDevice.Cuda));
        Assert.Contains("Int8", onGpu.Message);

        OnnxExport.Export(report.ModelPath, dir.Combine("model.onnx"));
        var exported = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(dir.Combine("model.onnx"))).Graph.Node;
        Assert.Equal(22, exported.Count(n => n.OpType == "Conv"));
        Assert.Contains(exported, n => n.OpType == "QuantizeLinear");

        var calibrationFile = Directory.GetFiles(dir.Combine("cache"), "int8-calibration-*.json", SearchOption.AllDirectories).Single();
        var calibratedAt = File.GetLastWriteTimeUtc(calibrationFile);
        events.Clear();
        var second = ImageClassifier.Train(settings, new SyncProgress<TrainingEvent>(e => { lock (events) events.Add(e); }));
        Assert.Empty(events.OfType<Calibrating>()); // read from the cache, not made again
        Assert.Equal(calibratedAt, File.GetLastWriteTimeUtc(calibrationFile));
        Assert.Equal(0, second.FeatureExtraction.Extracted);
        Assert.Equal(report.ValidationPredictions.Select(p => p.Scores), second.ValidationPredictions.Select(p => p.Scores));
    }

    // int8 features are kept apart from fp32 ones: the same images in fp32 are extracted again, not read from int8 entries.
    [Fact]
    public void Int8AndFp32FeaturesNeverShareCacheEntries()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 4, size: 80);
        var settings = new TrainSettings { DataFolder = dir.Combine("data"), OutputFolder = dir.Combine("run"), CacheFolder = dir.Combine("cache"), Training = { Epochs = 2 }, View = ImageView.Crop };

        var fp32 = ImageClassifier.Train(settings);
        settings.Precision = Precision.Int8;
        settings.OutputFolder = dir.Combine("run-int8");
        var int8 = ImageClassifier.Train(settings);

        Assert.Equal(12, fp32.FeatureExtraction.Extracted);
        Assert.Equal(12, int8.FeatureExtraction.Extracted);
        Assert.Null(ModelFile.Read(fp32.ModelPath).Info.Int8);
        Assert.Equal(Precision.Fp32, fp32.Precision?.Precision); // the default
        using var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Combine("run-int8"), ImageClassifier.MetricsFileName)));
        var precision = metrics.RootElement.GetProperty("precision");
        Assert.Equal("int8", precision.GetProperty("precision").GetString(), ignoreCase: true);
        Assert.Equal("as set", precision.GetProperty("reason").GetString());
        Assert.NotNull(ModelFile.Read(int8.ModelPath).Info.Int8);
    }
}
