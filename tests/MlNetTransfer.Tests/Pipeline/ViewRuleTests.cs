using System.Text.Json;
using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Pipeline;
using MlNetTransfer.Model;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Pipeline;

public class ViewRuleTests
{
    // The default view comes from the training images' shapes: square images (shapes, scans, pre-cropped sets) are
    // seen whole (isocrop), photos of other shapes in crop. One view is extracted (a second run extracts nothing), and
    // the choice and its reason are in metrics.json, train.json, the report and the saved model.
    [Fact]
    [Trait("Category", "Slow")]
    public void TheDefaultViewFollowsTheTrainingImagesShapesAndOneViewIsExtracted()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 10);
        var settings = new TrainSettings { DataFolder = dir.Combine("data"), OutputFolder = dir.Combine("run"), CacheFolder = dir.Combine("cache"), Training = { Epochs = 3 } };
        var events = new List<TrainingEvent>();
        var first = ImageClassifier.Train(settings, new SyncProgress<TrainingEvent>(e => { lock (events) events.Add(e); }));

        var view = Assert.Single(events.OfType<ViewChosen>()).Report;
        Assert.Equal(ImageView.IsoCrop, view.Chosen);
        Assert.Contains("24 of 24 training images looked at are square", view.Reason);
        Assert.Equal(30, Directory.GetFiles(dir.Combine("cache"), "*.feat", SearchOption.AllDirectories).Length); // each image once
        Assert.Equal(view.Chosen, ModelFile.Read(first.ModelPath).Backbone().View);
        using (var metrics = JsonDocument.Parse(File.ReadAllText(dir.Combine("run", "metrics.json"))))
            Assert.Equal("isoCrop", metrics.RootElement.GetProperty("view").GetProperty("chosen").GetString());
        using (var resolved = JsonDocument.Parse(File.ReadAllText(dir.Combine("run", "train.json"))))
        {
            Assert.Equal("auto", resolved.RootElement.GetProperty("view").GetString());
            Assert.Contains("square", resolved.RootElement.GetProperty("viewChoice").GetProperty("reason").GetString());
        }
        Assert.Contains("View of the images: isocrop", File.ReadAllText(first.ReportPath));

        var second = ImageClassifier.Train(settings);
        Assert.Equal(0, second.FeatureExtraction.Extracted);
        Assert.Equal(view, second.View);
    }

    [Fact]
    public void PhotosThatAreNotSquareKeepCrop()
    {
        using var dir = new TempDir();
        WideImages(dir.Combine("data"), perClass: 4);
        var dataset = ImageDataset.Load(dir.Combine("data"), 0.25, seed: 1);
        var view = ViewRule.Choose(dataset.Train);
        Assert.Equal(ImageView.Crop, view.Chosen);
        Assert.Contains("0 of 6 training images looked at are square", view.Reason);
        // One odd image in twenty does not turn a set of squares into photos (a share of 95 % decides).
        var squares = Enumerable.Range(0, 19).Select(i => Square(dir.Combine($"s{i}.png"), 64)).Append(dataset.Train[0]).ToList();
        Assert.Equal(ImageView.IsoCrop, ViewRule.Choose(squares).Chosen);
    }

    private static LabelledImage Square(string path, int side)
    {
        using var bitmap = new SkiaSharp.SKBitmap(side, side);
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        return new LabelledImage(path, 0);
    }

    // 3:1 images of a shape in the middle.
    private static void WideImages(string folder, int perClass)
    {
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
                    if (c == 0) canvas.DrawCircle(96, 32, 22 - i, paint); else canvas.DrawRect(74 + i, 10, 44, 44, paint);
                }
                using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90);
                File.WriteAllBytes(Path.Combine(folder, classes[c], $"{classes[c]}_{i:D2}.jpg"), data.ToArray());
            }
        }
    }

    // A fixed view other than crop round-trips through the saved model: the .zip predicts what training measured.
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(ImageView.Fill)]
    [InlineData(ImageView.IsoCrop)]
    public void AFixedViewIsSavedAndTheZipPredictsWhatTrainingMeasured(ImageView view)
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 5, size: 90);
        var report = ImageClassifier.Train(new TrainSettings { DataFolder = dir.Combine("data"), OutputFolder = dir.Combine("run"), CacheFolder = dir.Combine("cache"), Training = { Epochs = 3 }, View = view });
        Assert.Equal(view, report.View!.Chosen);
        Assert.Equal("as set", report.View.Reason);
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
