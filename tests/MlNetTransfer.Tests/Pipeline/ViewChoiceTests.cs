using System.Text.Json;
using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Pipeline;
using MlNetTransfer.Model;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Pipeline;

public class ViewChoiceTests
{
    // The default view is chosen on the training images: both candidates' figures are in metrics.json, train.json and
    // the report; the training images are extracted in the second view once (a second run extracts nothing); the
    // saved model uses the chosen view.
    [Fact]
    public void AutoChoosesOnTheTrainingImagesReportsWhyAndTheModelUsesTheChoice()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 10);
        var settings = new TrainSettings { DataFolder = dir.Combine("data"), OutputFolder = dir.Combine("run"), CacheFolder = dir.Combine("cache"), Training = { Epochs = 3 } };
        var events = new List<TrainingEvent>();
        var first = ImageClassifier.Train(settings, new SyncProgress<TrainingEvent>(e => { lock (events) events.Add(e); }));

        var choosing = Assert.Single(events.OfType<ViewChoosing>());
        Assert.Equal([ImageView.Crop, ImageView.Fill], choosing.Candidates);
        Assert.Equal(24, choosing.TrainImages);
        var view = first.View!;
        Assert.Equal(2, view.Candidates.Count);
        Assert.All(view.Candidates, c => Assert.InRange(c.CrossValidatedAccuracy, 0, 1));
        Assert.Contains("cross-validation", view.Reason);
        Assert.Equal(24 * 2 + 6, Directory.GetFiles(dir.Combine("cache"), "*.feat", SearchOption.AllDirectories).Length); // training images in both views, validation in the chosen one
        Assert.Equal(view.Chosen, ModelFile.Read(first.ModelPath).Backbone().View);

        using (var metrics = JsonDocument.Parse(File.ReadAllText(dir.Combine("run", "metrics.json"))))
            Assert.Equal(view.Chosen.ToString().ToLowerInvariant(), metrics.RootElement.GetProperty("view").GetProperty("chosen").GetString());
        using (var resolved = JsonDocument.Parse(File.ReadAllText(dir.Combine("run", "train.json"))))
        {
            Assert.Equal("auto", resolved.RootElement.GetProperty("view").GetString());
            Assert.Equal(2, resolved.RootElement.GetProperty("viewChoice").GetProperty("candidates").GetArrayLength());
        }
        Assert.Contains("View of the images: " + view.Chosen.ToString().ToLowerInvariant(), File.ReadAllText(first.ReportPath));

        var second = ImageClassifier.Train(settings);
        Assert.Equal(0, second.FeatureExtraction.Extracted);
        Assert.Equal(view.Chosen, second.View!.Chosen);
        Assert.Equal(first.View!.Candidates, second.View.Candidates);
    }

    // The view choice hands the chosen view's extractor, network loaded, to the rest of the run when that view is Crop
    // (extracted last for this), giving the features a fresh extractor gives; when Fill wins, nothing is handed on.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheChoiceHandsOnItsLoadedCropExtractorOnly(bool cropWins)
    {
        using var dir = new TempDir();
        if (cropWins) WideImagesWithDistractors(dir.Combine("data"), perClass: 12);
        else TestImages.ShapeDataset(dir.Combine("data"), perClass: 10); // shapes touching the border: fill wins
        var dataset = ImageDataset.Load(dir.Combine("data"), 0.2, seed: 1);
        var backbone = BackboneRegistry.Get();
        FeatureCache? CacheFor(BackboneDescription b) => FeatureCache.For(b, dir.Combine("cache"));

        var (chosen, _, known, extractor) = ViewChoice.Run(dataset, backbone, new ExtractorOptions(), CacheFor, 1, null, default);
        using (extractor)
        {
            Assert.Equal(cropWins ? ImageView.Crop : ImageView.Fill, chosen);
            Assert.Equal(dataset.Train.Count, known!.Features.Count);
            if (!cropWins)
            {
                Assert.Null(extractor);
                return;
            }
            Assert.NotNull(extractor);
            Assert.True(extractor.NetworkLoaded);
            var handed = extractor.Extract(dataset.Validation, reuseCached: false);
            using var fresh = new FeatureExtractor(backbone.WithView(ImageView.Crop));
            var expected = fresh.Extract(dataset.Validation);
            Assert.All(dataset.Validation, i => Assert.Equal(expected.Features[i.Path], handed.Features[i.Path]));
        }
        Assert.False(extractor.NetworkLoaded); // released, and a second Dispose (the caller's) is harmless
        extractor.Dispose();
    }

    // 3:1 images whose class is the shape in the middle square, with shapes of either class at the sides: the centre
    // crop sees the class alone, the stretched whole image the distractors too, so cross-validation chooses Crop.
    private static void WideImagesWithDistractors(string folder, int perClass)
    {
        var random = new Random(3);
        string[] classes = ["circle", "square"];
        for (int c = 0; c < classes.Length; c++)
        {
            Directory.CreateDirectory(Path.Combine(folder, classes[c]));
            for (int i = 0; i < perClass; i++)
            {
                using var bitmap = new SkiaSharp.SKBitmap(192, 64);
                using (var canvas = new SkiaSharp.SKCanvas(bitmap))
                using (var paint = new SkiaSharp.SKPaint { Color = SkiaSharp.SKColors.DarkBlue, IsAntialias = true })
                {
                    canvas.Clear(SkiaSharp.SKColors.White);
                    void Shape(int shape, float x) { if (shape == 0) canvas.DrawCircle(x + 32, 32, 22, paint); else canvas.DrawRect(x + 10, 10, 44, 44, paint); }
                    Shape(c, 64);
                    Shape(random.Next(2), 0);
                    Shape(random.Next(2), 128);
                }
                using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90);
                File.WriteAllBytes(Path.Combine(folder, classes[c], $"{classes[c]}_{i:D2}.jpg"), data.ToArray());
            }
        }
    }

    // A fixed view other than crop round-trips through the saved model: the .zip predicts what training measured.
    [Theory]
    [InlineData(ImageView.Fill)]
    [InlineData(ImageView.IsoCrop)]
    public void AFixedViewIsSavedAndTheZipPredictsWhatTrainingMeasured(ImageView view)
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 5, size: 90);
        var report = ImageClassifier.Train(new TrainSettings { DataFolder = dir.Combine("data"), OutputFolder = dir.Combine("run"), CacheFolder = dir.Combine("cache"), Training = { Epochs = 3 }, View = view });
        Assert.Equal(view, report.View!.Chosen);
        Assert.Empty(report.View.Candidates);
        using var model = TrainedModel.Load(report.ModelPath);
        Assert.Equal(view, model.File.Backbone().View);
        foreach (var expected in report.ValidationPredictions)
        {
            var actual = model.Predict(expected.ImagePath);
            Assert.Equal(expected.PredictedLabel, actual.PredictedLabel);
            for (int k = 0; k < actual.Scores.Count; k++)
                Assert.True(Math.Abs(expected.Scores[k] - actual.Scores[k]) <= 1e-4, $"{expected.ImagePath}: {expected.Scores[k]} vs {actual.Scores[k]}");
        }
    }
}
