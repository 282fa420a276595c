using MlNetTransfer.Model;
using MlNetTransfer.Tests.Support;
using SkiaSharp;

namespace MlNetTransfer.Tests.Model;

/// <summary>
/// Grad-CAM must point at what decides the class. A synthetic set: grey noise, and a small coloured patch in a random
/// corner whose colour is the class; the heatmap's peak must lie in the patch's quadrant for ≥ 90 % of the
/// validation images.
/// </summary>
public class ExplainTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void TheHeatmapPeaksInTheQuadrantOfThePatchThatSetsTheClass()
    {
        using var dir = new TempDir();
        string data = dir.Combine("data");
        var corners = PatchDataset(data, perClass: 70, seed: 3);
        var report = ImageClassifier.Train(new TrainSettings
        {
            DataFolder = data, OutputFolder = dir.Combine("run"), CacheFolder = dir.Combine("cache"),
            ValidationFraction = 0.3, Training = { Epochs = 30 },
        });
        Assert.True(report.Best().ValidationAccuracy >= 0.9, $"the set is learnable: {report.Best().ValidationAccuracy}");

        using var predictor = new ImagePredictor(report.ModelPath);
        int hits = 0, total = 0;
        foreach (var p in report.ValidationPredictions)
        {
            var explanation = predictor.Explain(p.ImagePath);
            Assert.Equal(p.PredictedLabel, explanation.Prediction.PredictedLabel);
            Assert.Equal(7, explanation.HeatmapWidth); // ResNet18's last map at 224 pixels
            Assert.NotNull(explanation.Peak);
            var (x, y) = explanation.Peak!.Value;
            var (right, bottom) = corners[Path.GetFileName(p.ImagePath)];
            if ((x >= 0.5) == right && (y >= 0.5) == bottom) hits++;
            total++;
        }
        Assert.True(hits >= 0.9 * total, $"peak in the patch's quadrant for {hits} of {total} validation images");
    }

    // Grey noise with a 40-pixel patch, red (class "red") or blue ("blue"), 12 pixels in from a random corner.
    // Returns each file's corner: (right, bottom).
    internal static Dictionary<string, (bool Right, bool Bottom)> PatchDataset(string folder, int perClass, int seed)
    {
        const int side = 224, patch = 40, margin = 12;
        var random = new Random(seed);
        var corners = new Dictionary<string, (bool, bool)>();
        foreach (var (label, colour) in new[] { ("red", new SKColor(220, 30, 30)), ("blue", new SKColor(30, 60, 220)) })
        {
            Directory.CreateDirectory(Path.Combine(folder, label));
            for (int i = 0; i < perClass; i++)
            {
                using var bitmap = new SKBitmap(side, side, SKColorType.Rgba8888, SKAlphaType.Opaque);
                var rgba = bitmap.GetPixelSpan(); // written directly: SetPixel costs seconds for a set of this size
                for (int at = 0; at < rgba.Length; at += 4)
                {
                    byte v = (byte)random.Next(40, 216);
                    rgba[at] = rgba[at + 1] = rgba[at + 2] = v;
                    rgba[at + 3] = 255;
                }
                bool right = random.Next(2) == 1, bottom = random.Next(2) == 1;
                int left = right ? side - margin - patch : margin, top = bottom ? side - margin - patch : margin;
                using (var canvas = new SKCanvas(bitmap))
                using (var paint = new SKPaint { Color = colour })
                    canvas.DrawRect(left, top, patch, patch, paint);
                string name = $"{label}_{i:D3}.png";
                using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(folder, label, name), png.ToArray());
                corners[name] = (right, bottom);
            }
        }
        return corners;
    }
}

/// <summary>The explanation of the shared data/sample model: same prediction as Predict, a PNG of the network's view.</summary>
[Collection(TrainedRunCollection.Name)]
public class ExplanationOutputTests(TrainedRunFixture run)
{
    [Fact]
    public void TheExplanationPredictsAsPredictAndItsOverlayIsAPngOfTheNetworksView()
    {
        using var predictor = new ImagePredictor(run.Report.ModelPath);
        var image = run.Report.ValidationPredictions[0].ImagePath;
        var explanation = predictor.Explain(image);
        using var overlay = SKBitmap.Decode(explanation.OverlayPng);
        Assert.Equal((224, 224), (overlay.Width, overlay.Height));
        Assert.Equal(49, explanation.Heatmap.Count);
        Assert.InRange(explanation.Heatmap.Max(), 0.999f, 1f);
        var predicted = predictor.Predict(image);
        Assert.Equal(predicted.Scores, explanation.Prediction.Scores);
        Assert.NotNull(predicted.Novelty);
        Assert.Equal(predicted.Novelty, explanation.Prediction.Novelty);
        Assert.Equal(predicted.Unknown, explanation.Prediction.Unknown);
    }
}
