using System.Text.Json;
using MlNetTransfer.Model;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Model;

/// <summary>
/// Models written by the released 0.2.0 (Fixtures/models-0.2.0: one of each format; the custom backbone's file they
/// were trained with is not there) load, and every way of running them predicts what 0.2.0 measured: ML.NET's
/// PredictionEngine, the predictors, batched prediction and the exported ONNX graph all run the zip's own graph.
/// </summary>
public class ReleasedModelsTests
{
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "tests", "MlNetTransfer.Tests", "Fixtures", "models-0.2.0");

    public static TheoryData<string> Models => new() { "path-crop-custom", "bytes-fill-custom", "int8-resnet18" };

    [Theory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(Models))]
    public async Task EveryRuntimePredictsWhatTheReleaseMeasured(string name)
    {
        string zip = Path.Combine(Folder, name + ".zip");
        var expected = Expected(name);
        var images = expected.Select(e => Path.Combine(Folder, "images", e.Image)).ToList();

        using var engine = TrainedModel.Load(zip);
        using var single = new ImagePredictor(zip);
        using var batching = new BatchingPredictor(zip);
        using var dir = new TempDir();
        var batch = ImageClassifier.Predict(zip, images, out var skipped, dir.Combine("cache"));
        Assert.Empty(skipped);
        var together = await Task.WhenAll(images.Select(p => batching.PredictAsync(File.ReadAllBytes(p)))); // batched together
        OnnxExport.Export(zip, dir.Combine("model.onnx"));
        using var exported = new Microsoft.ML.OnnxRuntime.InferenceSession(dir.Combine("model.onnx"));
        var pixels = new MlNetTransfer.Data.ImagePixels(engine.File.Backbone());
        // 0.2.0 ran on SkiaSharp 2.88, whose nearest-neighbour resize (the fill view's, here upscaling 64-112 pixel
        // images) picks some other source pixels than SkiaSharp 3's, which ML.NET 6 requires: the fill model's
        // probabilities move by a few 1e-4. Crop views draw with filtering and did not move.
        double skiaShift = engine.File.Backbone().Resize == MlNetTransfer.Backbones.ResizeMode.Stretch ? 1e-3 : 0;
        for (int i = 0; i < images.Count; i++)
        {
            var bytes = File.ReadAllBytes(images[i]);
            foreach (var (runtime, prediction, tolerance) in new[]
            {
                ("PredictionEngine", engine.Predict(images[i]), 1e-6 + skiaShift),
                ("ImagePredictor", single.Predict(bytes), 1e-4 + skiaShift),
                ("BatchingPredictor", together[i], 1e-4 + skiaShift),
                ("ImageClassifier.Predict", batch[i], 1e-4 + skiaShift),
                ("exported ONNX", Exported(exported, pixels, bytes, engine.Classes), 1e-4 + skiaShift),
            })
            {
                Assert.True(expected[i].Label == prediction.PredictedLabel, $"{name}, {runtime}, {expected[i].Image}");
                for (int c = 0; c < expected[i].Scores.Length; c++)
                    Assert.True(Math.Abs(expected[i].Scores[c] - prediction.Scores[c]) <= tolerance,
                        $"{name}, {runtime}, {expected[i].Image}: score {c} {prediction.Scores[c]} against {expected[i].Scores[c]}");
            }
        }
    }

    private static Prediction Exported(Microsoft.ML.OnnxRuntime.InferenceSession session, MlNetTransfer.Data.ImagePixels pixels, byte[] image, IReadOnlyList<string> classes)
    {
        var input = new float[pixels.Length];
        pixels.Decode(image, input);
        int side = (int)Math.Sqrt(pixels.Length / 3);
        var tensor = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(input, [1, 3, side, side]);
        using var outputs = session.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("Pixels", tensor)]);
        var scores = outputs.Single(o => o.Name == "Score").AsEnumerable<float>().ToArray();
        return Prediction.FromScores("", classes, scores) with { PredictedLabel = outputs.Single(o => o.Name == "PredictedLabel").AsEnumerable<string>().Single() };
    }

    // Two models of one backbone and view, with other classes and another head, share their feature part (and so
    // their cached features); their heads differ.
    [Fact]
    public void TheFeaturePartIsTheSameWhateverTheClassesAndHead()
    {
        using var dir = new TempDir();
        TinyClassifier.Write(dir.Combine("tiny.onnx"));
        var backbone = MlNetTransfer.Backbones.CustomBackbone.Describe(dir.Combine("tiny.onnx"));
        MlNetTransfer.Training.HeadWeights Head(float bias)
        {
            var layer = new MlNetTransfer.Training.DenseLayer(TinyClassifier.Channels, 2);
            layer.Bias[0] = bias;
            return new(new float[TinyClassifier.Channels], Enumerable.Repeat(1f, TinyClassifier.Channels).ToArray(), [layer]);
        }
        var a = SavedGraph.Parse(ClassifierGraph.BuildMlNetGraph(backbone, Head(0f), ["cat", "dog"]), 2);
        var b = SavedGraph.Parse(ClassifierGraph.BuildMlNetGraph(backbone, Head(1f), ["ant", "bee"]), 2);
        Assert.Equal(a.FeaturesPart(), b.FeaturesPart());
        Assert.Equal(MlNetTransfer.Features.FeatureKey.OfGraph(a.FeaturesPart(), backbone), MlNetTransfer.Features.FeatureKey.OfGraph(b.FeaturesPart(), backbone));
        Assert.NotEqual(a.HeadPart(), b.HeadPart());
    }

    // Softmax of large logits stays a probability (exp(200) alone would overflow).
    [Fact]
    public void LargeLogitsGiveFiniteProbabilities()
    {
        var p = Prediction.FromLogits("x", ["a", "b"], [200f, 0f]);
        Assert.Equal("a", p.PredictedLabel);
        Assert.Equal(1f, p.Scores[0], 6);
        Assert.All(p.Scores, s => Assert.True(float.IsFinite(s)));
    }

    [Fact]
    public void ACustomBackbonesModelExportsWithoutItsBackboneFile()
    {
        using var dir = new TempDir();
        string onnx = dir.Combine("model.onnx");
        OnnxExport.Export(Path.Combine(Folder, "path-crop-custom.zip"), onnx);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
        Assert.Equal(["Logits", "PredictedLabel", "Score"], session.OutputMetadata.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("circle\nsquare", session.ModelMetadata.CustomMetadataMap["classes"]);
    }

    // codegen writes the model again around its own graph (bytes input, Model Builder's label key): it predicts as before.
    [Fact]
    [Trait("Category", "Slow")]
    public void CodegenRewritesACustomBackbonesModelWithoutItsBackboneFile()
    {
        using var dir = new TempDir();
        var written = MlNetTransfer.Codegen.ConsumptionCode.Generate(Path.Combine(Folder, "path-crop-custom.zip"), dir.Path, new() { Name = "Shapes" });
        using var model = TrainedModel.Load(Assert.Single(written, f => f.EndsWith(".mlnet", StringComparison.Ordinal)));
        Assert.Equal(ImageInputKind.Bytes, model.File.Info.Input!.Kind);
        foreach (var e in Expected("path-crop-custom"))
        {
            var p = model.Predict(Path.Combine(Folder, "images", e.Image));
            Assert.Equal(e.Label, p.PredictedLabel);
            Assert.Equal(e.Scores[0], p.Scores[0], 1e-5);
        }
    }

    // 0.2.0's models have no novelty outputs: explaining one gives the same prediction as Predict, without novelty.
    [Fact]
    public void AModelOfTheReleaseIsExplainedWithoutNovelty()
    {
        using var predictor = new ImagePredictor(Path.Combine(Folder, "path-crop-custom.zip"));
        string image = Path.Combine(Folder, "images", "circle0.png");
        var explanation = predictor.Explain(image);
        var predicted = predictor.Predict(image);
        Assert.Equal(predicted.Scores, explanation.Prediction.Scores);
        Assert.Null(explanation.Prediction.Novelty);
        Assert.Null(explanation.Prediction.Unknown);
        Assert.Equal(explanation.HeatmapWidth * explanation.HeatmapHeight, explanation.Heatmap.Count);
    }

    [Fact]
    public void CodegenNamesALibraryPackageThatIsNotThere()
    {
        using var dir = new TempDir();
        string package = dir.Combine("MlNetTransfer.0.2.0.nupkg");
        var e = Assert.Throws<MlNetTransferException>(() => MlNetTransfer.Codegen.ConsumptionCode.Generate(
            Path.Combine(Folder, "path-crop-custom.zip"), dir.Combine("app"), new() { LibraryPackage = package }));
        Assert.Contains(package, e.Message);
        Assert.False(Directory.Exists(dir.Combine("app")), "nothing was written");
    }

    // The command line as a user runs it on a model whose custom backbone file is gone.
    [Fact]
    [Trait("Category", "Slow")]
    public void PredictAndEvaluateRunFromTheCommandLine()
    {
        using var dir = new TempDir();
        string zip = Path.Combine(Folder, "path-crop-custom.zip");
        foreach (var e in Expected("path-crop-custom"))
        {
            string cls = e.Image.StartsWith("circle", StringComparison.Ordinal) ? "circle" : "square";
            Directory.CreateDirectory(dir.Combine("data", cls));
            File.Copy(Path.Combine(Folder, "images", e.Image), dir.Combine("data", cls, e.Image));
        }
        var (code, output, error) = InProcessCli.Run(["predict", dir.Combine("data"), "--model", zip, "--cache", dir.Combine("cache")]);
        Assert.True(code == 0, error);
        Assert.Contains("circle0.png", output);
        (code, output, error) = InProcessCli.Run(["evaluate", "--model", zip, "--data", dir.Combine("data"), "--cache", dir.Combine("cache"), "--output", dir.Combine("report")]);
        Assert.True(code == 0, error);
        var expected = Expected("path-crop-custom");
        double accuracy = expected.Count(e => e.Image.StartsWith(e.Label, StringComparison.Ordinal)) / (double)expected.Count;
        Assert.Contains($"Accuracy: {accuracy.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)} on {expected.Count} images", output);
    }

    private sealed record ExpectedPrediction(string Image, string Label, float[] Scores);

    private static List<ExpectedPrediction> Expected(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")));
        return json.RootElement.GetProperty(name).GetProperty("predictions").EnumerateArray()
            .Select(p => new ExpectedPrediction(p.GetProperty("image").GetString()!, p.GetProperty("label").GetString()!,
                p.GetProperty("scores").EnumerateArray().Select(s => s.GetSingle()).ToArray())).ToList();
    }
}
