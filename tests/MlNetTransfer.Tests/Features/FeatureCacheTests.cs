using MlNetTransfer.Features;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Features;

public class FeatureCacheTests
{
    private static readonly string Key = FeatureCache.ContentKey("some image bytes"u8);

    [Fact]
    public void WrittenFeaturesReadBackExactly()
    {
        using var dir = new TempDir();
        var cache = new FeatureCache(dir.Path, "backbone-a");
        float[] features = [1.5f, -2f, float.Epsilon, 3.25f];

        cache.Write(Key, features);

        Assert.Equal(features, cache.TryRead(Key, 4));
        Assert.Null(new FeatureCache(dir.Path, "backbone-b").TryRead(Key, 4)); // another backbone never sees them
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void ACorruptEntryReadsAsAMissAndIsCounted()
    {
        using var dir = new TempDir();
        var cache = new FeatureCache(dir.Path, "backbone-a");
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
        var cache = new FeatureCache(dir.Path, "backbone-a");
        cache.Write(Key, [1f, 2f, 3f]);
        Assert.Null(cache.TryRead(Key, 4));
        cache.Write(Key, [1f, 2f, 3f]);
        var file = Directory.GetFiles(dir.Path, "*.feat", SearchOption.AllDirectories).Single();
        File.WriteAllBytes(file, File.ReadAllBytes(file)[..10]);
        Assert.Null(cache.TryRead(Key, 3));
    }

    [Fact]
    public void BackboneKeyChangesWithFileContentOrPreprocessing()
    {
        using var dir = new TempDir();
        var file = dir.Combine("net.onnx");
        File.WriteAllBytes(file, [1, 2, 3]);
        var a = FeatureCache.BackboneKey([file], "resize=256");
        var b = FeatureCache.BackboneKey([file], "resize=224");
        File.WriteAllBytes(file, [1, 2, 4]);
        var c = FeatureCache.BackboneKey([file], "resize=256");
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
    }
}
