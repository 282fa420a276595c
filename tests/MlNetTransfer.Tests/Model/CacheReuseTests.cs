using MlNetTransfer.Backbones;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Model;

[Trait("Category", "Slow")]
public class CacheReuseTests
{
    [Fact]
    public void ASecondRunReadsEveryImageFromTheCacheAndNewImagesCostOneExtractionEach()
    {
        using var dir = new TempDir();
        string data = dir.Combine("data");
        TestImages.ShapeDataset(data, perClass: 6);
        // One view: what a fixed view costs (choosing one also extracts the training images in a second view, once; ViewChoiceTests).
        var settings = new TrainSettings { DataFolder = data, OutputFolder = dir.Combine("run"), CacheFolder = dir.Combine("cache"), Training = { Epochs = 3 }, View = ImageView.Crop };

        var first = ImageClassifier.Train(settings);
        var second = ImageClassifier.Train(settings);
        TestImages.ShapeDataset(dir.Combine("more"), perClass: 5, seed: 99);
        foreach (var file in Directory.GetFiles(dir.Combine("more", "circle")))
            File.Copy(file, Path.Combine(data, "circle", "new_" + Path.GetFileName(file)));
        var third = ImageClassifier.Train(settings);

        Assert.Equal(18, first.FeatureExtraction.Extracted);
        Assert.Equal(0, first.FeatureExtraction.FromCache);
        Assert.Equal(18, second.FeatureExtraction.FromCache);
        Assert.Equal(0, second.FeatureExtraction.Extracted);
        Assert.Equal(23, third.FeatureExtraction.Images);
        Assert.Equal(5, third.FeatureExtraction.Extracted);
        Assert.Equal(first.Epochs.Select(e => e.ValidationLoss), second.Epochs.Select(e => e.ValidationLoss));
    }

    [Fact]
    public void ACorruptCacheEntryIsRecomputedAndReported()
    {
        using var dir = new TempDir();
        string data = dir.Combine("data");
        TestImages.ShapeDataset(data, perClass: 3);
        var settings = new TrainSettings { DataFolder = data, OutputFolder = dir.Combine("run"), CacheFolder = dir.Combine("cache"), Training = { Epochs = 2 }, View = ImageView.Crop };
        var first = ImageClassifier.Train(settings);
        var entry = Directory.GetFiles(dir.Combine("cache"), "*.feat", SearchOption.AllDirectories)[0];
        var bytes = File.ReadAllBytes(entry);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(entry, bytes);

        var second = ImageClassifier.Train(settings);

        Assert.Equal(1, second.FeatureExtraction.CorruptCacheEntries);
        Assert.Equal(1, second.FeatureExtraction.Extracted);
        Assert.Equal(8, second.FeatureExtraction.FromCache);
        Assert.Equal(first.Epochs.Select(e => e.ValidationLoss), second.Epochs.Select(e => e.ValidationLoss));
    }

    [Fact]
    public void UnreadableImagesAreListedAndTheRunCompletes()
    {
        using var dir = new TempDir();
        string data = dir.Combine("data");
        TestImages.ShapeDataset(data, perClass: 5, size: 128);
        var bad = new[]
        {
            TestImages.ZeroByte(dir.Combine("data", "square")),
            TestImages.TextNamedJpeg(dir.Combine("data", "square")),
            TestImages.TruncatedJpeg(dir.Combine("data", "square"), dir.Combine("data", "circle", "circle_000.jpg")),
        };
        var settings = new TrainSettings { DataFolder = data, OutputFolder = dir.Combine("run"), CacheFolder = dir.Combine("cache"), Training = { Epochs = 3 } };

        var report = ImageClassifier.Train(settings);

        Assert.Equal(bad.Order(StringComparer.Ordinal), report.Skipped.Select(s => s.Path));
        Assert.Contains("empty", report.Skipped.Single(s => s.Path.EndsWith("empty.jpg")).Reason);
        Assert.Contains("not a decodable image", report.Skipped.Single(s => s.Path.EndsWith("notes.jpg")).Reason);
        Assert.Contains("truncated", report.Skipped.Single(s => s.Path.EndsWith("truncated.jpg")).Reason);
        Assert.True(File.Exists(report.ModelPath));
        Assert.Equal(15, report.FeatureExtraction.Extracted);
    }
}
