using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Features;

public class AugmentationTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void ViewsAreExtractedOnceCachedAndUsedForTrainingOnly()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 5, size: 96);
        var settings = new TrainSettings { DataFolder = dir.Combine("data"), OutputFolder = dir.Combine("run"), CacheFolder = dir.Combine("cache"), Augment = 2, Training = { Epochs = 2 } };

        var first = ImageClassifier.Train(settings);
        var second = ImageClassifier.Train(settings);

        Assert.Equal(2 * first.TrainCount, first.AugmentedViews!.Extracted);
        Assert.Equal(0, second.AugmentedViews!.Extracted);
        Assert.Equal(2 * first.TrainCount, second.AugmentedViews.FromCache);
        Assert.Equal(first.Epochs.Select(e => e.ValidationLoss), second.Epochs.Select(e => e.ValidationLoss));
        Assert.Equal(first.Validation.Count, first.ValidationPredictions.Count); // validation keeps the eval view only
    }

    [Fact]
    public void AViewIsSeededByContentViewAndSeedAndDiffersFromTheOthers()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Path, perClass: 1, size: 96);
        var bytes = File.ReadAllBytes(dir.Combine("circle", "circle_000.jpg"));
        string key = FeatureKey.Entry(bytes);
        float[] Render(ViewAugmentation a, int view) { var p = new float[3 * 256 * 256]; a.Render(bytes, key, view, 256, p); return p; }
        var aug = new ViewAugmentation();

        Assert.Equal(Render(aug, 0), Render(aug, 0));
        Assert.NotEqual(Render(aug, 0), Render(aug, 1));
        Assert.NotEqual(Render(aug, 0), Render(aug with { Seed = 1 }, 0));
        Assert.NotEqual(aug.Signature, (aug with { MaxRotation = 5 }).Signature);
    }
}
