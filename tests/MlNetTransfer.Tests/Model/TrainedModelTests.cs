using System.Globalization;
using System.Text.Json;
using MlNetTransfer.Model;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Model;

[Trait("Category", "Slow")]
[Collection(TrainedRunCollection.Name)]
public class TrainedModelTests(TrainedRunFixture run)
{
    // This build carries the CPU ONNX Runtime: predict and evaluate asked for CUDA stop with train's one clear line.
    // The cache is empty, so the network is needed (cached features alone never load it, on any device).
    [Theory]
    [InlineData("predict")]
    [InlineData("evaluate")]
    public void PredictAndEvaluateOnCudaWithoutTheGpuBuildAreOneLineErrors(string command)
    {
        using var empty = new TempDir();
        string[] args = command == "predict"
            ? ["predict", run.DataFolder, "--model", run.Report.ModelPath, "--cache", empty.Combine("cache"), "--device", "cuda"]
            : ["evaluate", "--model", run.Report.ModelPath, "--data", run.DataFolder, "--cache", empty.Combine("cache"), "--device", "cuda", "--output", empty.Combine("report")];

        var (code, output, error) = InProcessCli.Run(args);

        Assert.Equal(MlNetTransfer.Cli.ExitCodes.Failed, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("CUDA execution provider is not available", error);
        Assert.Equal("", output);
    }

    // A folder with nothing to predict is an error, not an empty success ("Accuracy 0.0000 on 0 images").
    [Theory]
    [InlineData("predict", "No image files in")]
    [InlineData("evaluate", "no image files in its class sub-folders")]
    [InlineData("evaluate-unreadable", "none of its 2 image files could be used")]
    public void AFolderWithoutUsableImagesIsAOneLineError(string command, string says)
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.Combine("data", "circle"));
        Directory.CreateDirectory(dir.Combine("data", "square"));
        if (command == "evaluate-unreadable")
        {
            TestImages.TextNamedJpeg(dir.Combine("data", "circle"));
            TestImages.ZeroByte(dir.Combine("data", "square"));
        }
        string[] args = command == "predict"
            ? ["predict", dir.Combine("data"), "--model", run.Report.ModelPath]
            : ["evaluate", "--model", run.Report.ModelPath, "--data", dir.Combine("data"), "--cache", dir.Combine("cache"), "--output", dir.Combine("report")];

        var (code, _, error) = InProcessCli.Run(args);

        Assert.Equal(MlNetTransfer.Cli.ExitCodes.Failed, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains(says, error);
        Assert.False(Directory.Exists(dir.Combine("report")), "no report of nothing");
    }

    [Fact]
    public void ExplainWritesAnOverlayPerImageAndNamesAnUnreadableOneOnce()
    {
        using var dir = new TempDir();
        string good = run.Report.ValidationPredictions[0].ImagePath, bad = TestImages.TextNamedJpeg(dir.Path);

        var (code, output, error) = InProcessCli.Run(["explain", "--model", run.Report.ModelPath, good, bad, "--output", dir.Combine("heatmaps")]);

        Assert.Equal(MlNetTransfer.Cli.ExitCodes.Ok, code);
        Assert.StartsWith(good + "\t" + run.Report.ValidationPredictions[0].PredictedLabel + "\t", output);
        Assert.Single(Directory.GetFiles(dir.Combine("heatmaps"), "*.explain.png"));
        Assert.Equal($"skipped {bad}: not a decodable image (unrecognised format; the file looks like text)", error.Trim());
    }

    [Fact]
    public void MetricsJsonHasTheDocumentedFields()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Settings.OutputFolder, "metrics.json")));
        var root = json.RootElement;
        Assert.Equal(["circle", "square", "triangle"], root.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
        int best = root.GetProperty("bestEpoch").GetInt32();
        Assert.InRange(best, 1, 15);
        root.GetProperty("stoppedEarly").GetBoolean();
        var epoch = root.GetProperty("epochs")[0];
        foreach (var name in new[] { "epoch", "trainLoss", "trainAccuracy", "validationLoss", "validationAccuracy" })
            Assert.True(epoch.TryGetProperty(name, out _), name);
        Assert.Equal(30, root.GetProperty("validation").GetProperty("count").GetInt32());
        Assert.Equal(run.Report.Best().ValidationAccuracy, root.GetProperty("validation").GetProperty("accuracy").GetDouble());
        Assert.Equal(120, root.GetProperty("featureExtraction").GetProperty("images").GetInt32());
        Assert.Equal(0, root.GetProperty("skipped").GetArrayLength());
    }

    // The model a user's app loads must behave exactly as in training: the samples/ app, a separate process with only
    // the ML.NET packages, loads model.zip (trained on data/sample) and must reproduce the trainer's validation
    // predictions, on the ML.NET this version uses and on the previous one (an app that has not upgraded). ML.NET 5
    // resizes with SkiaSharp 2.88, whose filtering differs slightly from SkiaSharp 3's: the same labels, probabilities
    // within 1e-3 (docs/deploying.md has the figures on photos).
    [Theory]
    [InlineData("6.0.0", 1e-4)]
    [InlineData("5.0.1", 1e-3)]
    public void ASeparateConsumerProcessReproducesTheValidationPredictions(string mlNetVersion, double tolerance) =>
        ConsumerProcess.AssertReproduces(run.Report.ModelPath, run.Report.ValidationPredictions,
            mlNetVersion == "5.0.1" ? ConsumerProcess.OnMlNet5 : ConsumerProcess.Current, mlNetVersion, tolerance);

    [Fact]
    public void TrainedModelPredictsWithClassNames()
    {
        using var model = TrainedModel.Load(run.Report.ModelPath);
        Assert.Equal(run.Report.Classes, model.Classes);
        var first = run.Report.ValidationPredictions[0];
        var prediction = model.Predict(first.ImagePath);
        Assert.Equal(first.PredictedLabel, prediction.PredictedLabel);
        Assert.Equal(1.0, prediction.Scores.Sum(), 4);
    }

    [Fact]
    public void EvaluateReportsAccuracyAndConfusion()
    {
        var report = ImageClassifier.Evaluate(run.Report.ModelPath, run.DataFolder, run.Settings.CacheFolder);
        Assert.Equal(120, report.Count);
        Assert.Equal(120, report.ConfusionMatrix.Sum(r => r.Sum()));
        Assert.Equal(report.Accuracy, (double)Enumerable.Range(0, 3).Sum(i => report.ConfusionMatrix[i][i]) / 120, 6);
        Assert.All(report.PerClass, c => Assert.Equal(40, c.Support));
    }

    // evaluate and predict run batched on cached features and the stored head: they must agree with the .zip.
    [Fact]
    public void BatchedPredictionsMatchTheZip()
    {
        var paths = run.Report.ValidationPredictions.Select(p => p.ImagePath).ToList();
        var batched = ImageClassifier.Predict(run.Report.ModelPath, paths, out var skipped, run.Settings.CacheFolder);
        using var model = TrainedModel.Load(run.Report.ModelPath);
        Assert.Empty(skipped);
        Assert.Equal(paths, batched.Select(p => p.ImagePath));
        foreach (var p in batched)
        {
            var zip = model.Predict(p.ImagePath);
            Assert.Equal(zip.PredictedLabel, p.PredictedLabel);
            for (int k = 0; k < zip.Scores.Count; k++)
                Assert.True(Math.Abs(zip.Scores[k] - p.Scores[k]) <= 1e-4, $"{p.ImagePath}: {zip.Scores[k]} vs {p.Scores[k]}");
        }
    }

    // The exported ONNX file, run by ONNX Runtime directly on the documented input, gives the .zip's probabilities,
    // novelty and flag.
    [Fact]
    public void ExportedOnnxMatchesTheZip()
    {
        using var dir = new TempDir();
        string onnx = dir.Combine("model.onnx");
        MlNetTransfer.Model.OnnxExport.Export(run.Report.ModelPath, onnx);
        using var model = TrainedModel.Load(run.Report.ModelPath);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
        Assert.Equal(string.Join("\n", model.Classes), session.ModelMetadata.CustomMetadataMap["classes"]);
        Assert.Contains("planar RGB", session.ModelMetadata.CustomMetadataMap["input"]);
        var backbone = model.File.Backbone();
        var pixels = new MlNetTransfer.Data.ImagePixels(backbone);
        foreach (var expected in run.Report.ValidationPredictions)
        {
            var input = new float[pixels.Length];
            pixels.Decode(File.ReadAllBytes(expected.ImagePath), input);
            int side = backbone.DecodedSize;
            var tensor = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(input, [1, 3, side, side]);
            using var outputs = session.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("Pixels", tensor)]);
            var score = outputs.Single(o => o.Name == "Score").AsEnumerable<float>().ToArray();
            var label = outputs.Single(o => o.Name == "PredictedLabel").AsEnumerable<string>().Single();
            var zip = model.Predict(expected.ImagePath);
            Assert.Equal(zip.PredictedLabel, label);
            for (int k = 0; k < score.Length; k++)
                Assert.True(Math.Abs(zip.Scores[k] - score[k]) <= 1e-4, $"{expected.ImagePath}: {zip.Scores[k]} vs {score[k]}");
            var novelty = outputs.Single(o => o.Name == "Novelty").AsEnumerable<float>().Single();
            Assert.True(Math.Abs(zip.Novelty!.Value - novelty) <= 1e-4, $"{expected.ImagePath}: novelty {zip.Novelty} vs {novelty}");
            Assert.Equal(zip.Unknown, outputs.Single(o => o.Name == "Unknown").AsEnumerable<bool>().Single());
        }
    }

    // codegen writes Model Builder's files for both inputs; the projects build against the packed MlNetTransfer
    // package and, run on a validation image, rank the trainer's label first with its probabilities; the training
    // file retrains on a folder (the scripting face) and the retrained model predicts.
    [Fact]
    public void GeneratedModelBuilderCodeBuildsPredictsAsTrainingDidAndRetrains()
    {
        using var dir = new TempDir();
        var bytes = MlNetTransfer.Codegen.ConsumptionCode.Generate(run.Report.ModelPath, dir.Combine("bytes"), new() { Name = "Shapes" });
        MlNetTransfer.Codegen.ConsumptionCode.Generate(run.Report.ModelPath, dir.Combine("path"), new() { Name = "Shapes", Input = ImageInputKind.Path });
        Assert.Equal(["Shapes.mlnet", "Shapes.ConsoleApp.csproj", "Shapes.consumption.cs", "Shapes.training.cs", "Program.cs"], bytes.Select(Path.GetFileName));
        Assert.Contains("public byte[] ImageSource { get; set; }", File.ReadAllText(dir.Combine("bytes", "Shapes.consumption.cs")));
        Assert.Contains("public string ImagePath { get; set; }", File.ReadAllText(dir.Combine("path", "Shapes.consumption.cs")));
        LocalFeed.AddTo(dir.Path);
        foreach (var project in new[] { "bytes", "path" })
        {
            ProcessRunner.Result build;
            lock (LocalFeed.RestoreLock)
                build = ProcessRunner.Run("dotnet", ["build", dir.Combine(project), $"-p:MlNetTransferVersion={LocalFeed.Version}", "--nologo", "-v", "q"]);
            Assert.True(build.ExitCode == 0, build.Output + build.Error);
        }

        var expected = run.Report.ValidationPredictions[0];
        foreach (var project in new[] { "bytes", "path" })
        {
            var scores = RunGenerated(dir.Combine(project), expected.ImagePath);
            Assert.Equal(expected.PredictedLabel, scores[0].Label);
            for (int k = 0; k < run.Report.Classes.Count; k++)
                Assert.Equal(expected.Scores[k], scores.Single(s => s.Label == run.Report.Classes[k]).Score, 1e-4);
        }

        string generatedModel = dir.Combine("bytes", "Shapes.mlnet");
        var before = File.ReadAllBytes(generatedModel);
        var retrain = ProcessRunner.Run("dotnet", [dir.Combine("bytes", "bin", "Debug", "net10.0", "Shapes.ConsoleApp.dll"), "--train", run.DataFolder], workingDirectory: dir.Combine("bytes"));
        Assert.True(retrain.ExitCode == 0, retrain.Output + retrain.Error);
        Assert.False(before.AsSpan().SequenceEqual(File.ReadAllBytes(generatedModel)), "the retrained model replaced the generated one");
        Assert.Contains(RunGenerated(dir.Combine("bytes"), expected.ImagePath)[0].Label, run.Report.Classes);

        // A folder of train/ and val/ (the tool's own layout) is not one Model Builder's loader reads: it says so.
        Directory.CreateDirectory(dir.Combine("split", "train", "circle"));
        File.Copy(expected.ImagePath, dir.Combine("split", "train", "circle", "a.jpg"));
        var wrongFolder = ProcessRunner.Run("dotnet", [dir.Combine("bytes", "bin", "Debug", "net10.0", "Shapes.ConsoleApp.dll"), "--train", dir.Combine("split")], workingDirectory: dir.Combine("bytes"));
        Assert.NotEqual(0, wrongFolder.ExitCode);
        Assert.Contains("No images directly in the class sub-folders", wrongFolder.Error);
    }

    private static List<(string Label, double Score)> RunGenerated(string project, string image)
    {
        var result = ProcessRunner.Run("dotnet", [Path.Combine(project, "bin", "Debug", "net10.0", "Shapes.ConsoleApp.dll"), image], workingDirectory: project);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        return result.Output.Split('\n').SkipWhile(l => !l.StartsWith("-----")).Skip(1).Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(p => (p[0], double.Parse(p[1], CultureInfo.InvariantCulture))).ToList();
    }

    [Fact]
    public void NotAModelGetsAClearError()
    {
        using var dir = new TempDir();
        var text = dir.Combine("model.zip");
        File.WriteAllText(text, "not a zip");
        var e = Assert.Throws<ModelLoadException>(() => TrainedModel.Load(text));
        Assert.Contains("not a valid zip", e.Message);

        var truncated = dir.Combine("truncated.zip");
        var bytes = File.ReadAllBytes(run.Report.ModelPath);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Throws<ModelLoadException>(() => TrainedModel.Load(truncated));

        Assert.Throws<ModelLoadException>(() => TrainedModel.Load(dir.Combine("missing.zip")));
    }
}

internal static class ReportExtensions
{
    public static MlNetTransfer.Training.EpochMetrics Best(this TrainReport report) => report.Epochs.Single(e => e.Epoch == report.BestEpoch);
}
