using MlNetTransfer.Features;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Features;

public class FeatureCacheTests
{
    private static readonly string Key = FeatureKey.Entry("some image bytes"u8);

    [Fact]
    public void WrittenFeaturesReadBackExactly()
    {
        using var dir = new TempDir();
        var cache = new FeatureCache(dir.Path, new FeatureKey("backbone-a", ""));
        float[] features = [1.5f, -2f, float.Epsilon, 3.25f];

        cache.Write(Key, features);

        Assert.Equal(features, cache.TryRead(Key, 4));
        Assert.Null(new FeatureCache(dir.Path, new FeatureKey("backbone-b", "")).TryRead(Key, 4)); // another backbone never sees them
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void ACorruptEntryReadsAsAMissAndIsCounted()
    {
        using var dir = new TempDir();
        var cache = new FeatureCache(dir.Path, new FeatureKey("backbone-a", ""));
        cache.Write(Key, [1f, 2f, 3f]);
        var file = Directory.GetFiles(dir.Path, "*.feat", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(file);
        bytes[14] ^= 0x40; // flip a bit in the first float
        File.WriteAllBytes(file, bytes);

        Assert.Null(cache.TryRead(Key, 3));
        Assert.Equal(1, cache.CorruptEntries);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void ATruncatedEntryOrWrongLengthIsAMiss()
    {
        using var dir = new TempDir();
        var cache = new FeatureCache(dir.Path, new FeatureKey("backbone-a", ""));
        cache.Write(Key, [1f, 2f, 3f]);
        Assert.Null(cache.TryRead(Key, 4));
        cache.Write(Key, [1f, 2f, 3f]);
        var file = Directory.GetFiles(dir.Path, "*.feat", SearchOption.AllDirectories).Single();
        File.WriteAllBytes(file, File.ReadAllBytes(file)[..10]);
        Assert.Null(cache.TryRead(Key, 3));
    }

    // Every input of a feature's key changes its folder: the network's file contents and the preprocessing (view,
    // sizes, normalisation, int8 calibration); a saved model's graph keys its own features.
    [Fact]
    public void TheKeyChangesWithEachOfItsInputs()
    {
        using var dir = new TempDir();
        var file = dir.Combine("net.onnx");
        File.WriteAllBytes(file, [1, 2, 3]);
        var backbone = MlNetTransfer.Backbones.BackboneRegistry.Get() with { ModelPath = file, PreprocessPath = null };
        var a = FeatureKey.Of(backbone).Folder;
        var b = FeatureKey.Of(backbone.WithView(MlNetTransfer.Backbones.ImageView.Fill)).Folder;
        var d = FeatureKey.Of(backbone with { Mean = [1f, 2f, 3f] }).Folder;
        File.WriteAllBytes(file, [1, 2, 4]);
        var c = FeatureKey.Of(backbone).Folder;
        Assert.Equal(4, new[] { a, b, c, d }.Distinct().Count());
        Assert.NotEqual(FeatureKey.OfGraph([1, 2, 3], backbone).Folder, FeatureKey.OfGraph([1, 2, 4], backbone).Folder);
        Assert.NotEqual(FeatureKey.Entry("bytes"u8), FeatureKey.Entry(FeatureKey.Entry("bytes"u8), new MlNetTransfer.Data.ViewAugmentation(), 0));
    }
}
