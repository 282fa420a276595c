using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlNetTransfer.Data;
using MlNetTransfer.Model;
using MlNetTransfer.Tests.Model;
using MlNetTransfer.Tests.Support;
using SkiaSharp;

namespace MlNetTransfer.Tests.Confidence;

/// <summary>The shapes model of the shared run against images of no shape: coloured noise.</summary>
[Collection(TrainedRunCollection.Name)]
public class UnknownImagesTests(TrainedRunFixture run) : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void NoiseImagesAreFarFromTheShapesAndFlaggedUnknownInPredictJsonAndEvaluate()
    {
        var noise = NoiseImages(6);
        var validation = run.Report.ValidationPredictions.Take(10).Select(p => p.ImagePath).ToList();

        var (code, output, error) = InProcessCli.Run(["predict", .. validation, .. noise, "--model", run.Report.ModelPath, "--cache", run.Settings.CacheFolder!, "--json"]);

        Assert.True(code == 0, error);
        var answers = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(a => a.GetProperty("path").GetString()!);
        Assert.Equal(16, answers.Count);
        foreach (var a in answers.Values)
            Assert.True(a.TryGetProperty("predictedLabel", out _) && a.TryGetProperty("score", out _), a.ToString());
        float maxKnown = validation.Max(p => answers[p].GetProperty("novelty").GetSingle());
        Assert.All(noise, p => Assert.True(answers[p].GetProperty("novelty").GetSingle() > maxKnown, $"{p}: {answers[p]} against the known images' highest novelty {maxKnown}"));
        Assert.All(noise, p => Assert.True(answers[p].GetProperty("unknown").GetBoolean(), answers[p].ToString()));
        // predict --json gives what training measured for the validation images.
        foreach (var p in run.Report.ValidationPredictions.Take(10))
            Assert.True(Math.Abs(p.Novelty!.Value - answers[p.ImagePath].GetProperty("novelty").GetSingle()) < 1e-4);

        var report = ImageClassifier.Evaluate(run.Report.ModelPath, run.DataFolder, run.Settings.CacheFolder, unknownFolder: Path.GetDirectoryName(noise[0]));
        Assert.Equal(1.0, report.UnknownAuroc);
        Assert.Equal(1.0, report.UnknownFlagged);
        Assert.InRange(report.KnownFlagged!.Value, 0, 0.1);
    }

    // A separate process with the ML.NET packages only reads Score, Novelty and Unknown through PredictionEngine as
    // predict --json prints them.
    [Fact]
    [Trait("Category", "Slow")]
    public void AConsumerProcessGetsTheScoreNoveltyAndFlagOfPredictJson()
    {
        var images = run.Report.ValidationPredictions.Take(4).Select(p => p.ImagePath).Concat(NoiseImages(2)).ToList();
        var (code, output, error) = InProcessCli.Run(["predict", .. images, "--model", run.Report.ModelPath, "--cache", run.Settings.CacheFolder!, "--json"]);
        Assert.True(code == 0, error);
        var json = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(a => a.GetProperty("path").GetString()!);

        var consumer = ConsumerProcess.Predict(run.Report.ModelPath, images);

        Assert.Contains(consumer, a => a.Unknown == true);
        Assert.Contains(consumer, a => a.Unknown == false);
        foreach (var answer in consumer)
        {
            var expected = json[answer.Path];
            Assert.Equal(expected.GetProperty("predictedLabel").GetString(), answer.PredictedLabel);
            Assert.True(Math.Abs(expected.GetProperty("score").GetSingle() - answer.Scores.Max()) <= 1e-4, $"{answer.Path}: score {expected} vs {answer.Scores.Max()}");
            Assert.True(Math.Abs(expected.GetProperty("novelty").GetSingle() - answer.Novelty!.Value) <= 1e-4, $"{answer.Path}: novelty {expected} vs {answer.Novelty}");
            Assert.Equal(expected.GetProperty("unknown").GetBoolean(), answer.Unknown);
        }
    }

    [Fact]
    public void TheReportShowsTheReliabilityDiagramAndMetricsTheCalibrationAndNovelty()
    {
        string html = File.ReadAllText(run.Report.ReportPath);
        Assert.Contains("id=calibration", html);
        Assert.True(File.Exists(Path.Combine(run.Settings.OutputFolder, "reliability.png")));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Settings.OutputFolder, "metrics.json")));
        var calibration = json.RootElement.GetProperty("calibration");
        // The run misclassifies a validation image, so a temperature inside the search range is fitted (the case
        // without errors is CalibrationAndNoveltyGraphTests'), and the model saves the one metrics.json reports.
        Assert.Contains(run.Report.ValidationPredictions, p => p.Label != p.PredictedLabel);
        double temperature = calibration.GetProperty("temperature").GetDouble();
        Assert.Equal(JsonValueKind.Null, calibration.GetProperty("skipped").ValueKind);
        Assert.InRange(temperature, 0.06, 19);
        Assert.Equal(temperature, ModelFile.Read(run.Report.ModelPath).Info.Temperature);
        Assert.Equal("knn", json.RootElement.GetProperty("novelty").GetProperty("method").GetString());
    }

    // Evaluate --unknown on an unknown folder of unreadable files only: an error naming the folder, not "AUROC NaN".
    [Fact]
    public void AnUnknownFolderWithoutAUsableImageIsAnErrorNamingIt()
    {
        string folder = _dir.Combine("unreadable");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "not-an-image.png"), "text");

        var e = Assert.Throws<DatasetException>(() => ImageClassifier.Evaluate(run.Report.ModelPath, run.DataFolder, run.Settings.CacheFolder, unknownFolder: folder));

        Assert.Contains(folder, e.Message);
        Assert.Contains("no usable image found there", e.Message);
    }

    // A model.json and a graph that disagree on the novelty (an edited or badly rewritten file) are refused when the
    // graph is read, in both directions, rather than answering without the novelty model.json promises.
    [Fact]
    public void AModelWhoseModelJsonAndGraphDisagreeOnTheNoveltyIsRefused()
    {
        string notInJson = _dir.Combine("novelty-not-in-model-json.zip");
        File.Copy(run.Report.ModelPath, notInJson);
        var novelty = EditModelJson(notInJson, json => json.Remove("novelty"));
        string notInGraph = _dir.Combine("novelty-not-in-graph.zip");
        File.Copy(Path.Combine(RepoPaths.Root, "tests", "MlNetTransfer.Tests", "Fixtures", "models-0.2.0", "path-crop-custom.zip"), notInGraph);
        EditModelJson(notInGraph, json => json["novelty"] = JsonNode.Parse(novelty));
        string noise = Path.GetDirectoryName(NoiseImages(1)[0])!;

        var graphOnly = Assert.Throws<ModelLoadException>(() => ImageClassifier.Evaluate(notInJson, run.DataFolder, run.Settings.CacheFolder, unknownFolder: noise));
        var jsonOnly = Assert.Throws<ModelLoadException>(() => ImageClassifier.Evaluate(notInGraph, run.DataFolder, run.Settings.CacheFolder, unknownFolder: noise));

        Assert.Contains("its graph computes a novelty that its model.json does not describe", graphOnly.Message);
        Assert.Contains(notInGraph, jsonOnly.Message);
        Assert.Contains("its model.json describes a novelty that its graph does not compute", jsonOnly.Message);
    }

    // Rewrites the model.json entry of the zip at path; returns its novelty before the edit, as JSON.
    private static string EditModelJson(string path, Action<JsonObject> edit)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.GetEntry(ModelInfo.EntryName)!;
        JsonObject json;
        using (var stream = entry.Open()) json = JsonNode.Parse(stream)!.AsObject();
        string novelty = json["novelty"]?.ToJsonString() ?? "null";
        edit(json);
        entry.Delete();
        using (var stream = zip.CreateEntry(ModelInfo.EntryName).Open()) JsonSerializer.Serialize(stream, json);
        return novelty;
    }

    private List<string> NoiseImages(int count)
    {
        string folder = _dir.Combine("noise");
        Directory.CreateDirectory(folder);
        var random = new Random(count);
        return Enumerable.Range(0, count).Select(i =>
        {
            using var bitmap = new SKBitmap(64, 64);
            for (int y = 0; y < 64; y++)
                for (int x = 0; x < 64; x++)
                    bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            string path = Path.Combine(folder, $"noise-{i}.png");
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(path, data.ToArray());
            return path;
        }).ToList();
    }

    public void Dispose() => _dir.Dispose();
}
