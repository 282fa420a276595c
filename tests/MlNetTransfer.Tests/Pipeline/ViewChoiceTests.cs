using System.Text.Json;
using MlNetTransfer.Backbones;
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
