using System.Diagnostics;
using MlNetTransfer.Backbones;
using MlNetTransfer.Features;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Robustness;

[Trait("Category", "Slow")]
public class ConcurrencyAndDeterminismTests
{
    [Fact]
    public async Task TwoTrainProcessesSharingOneCacheBothSucceedAndTheCacheStaysConsistent()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 15);
        string cache = dir.Combine("cache");
        // Each process's own temp folder: a run must leave nothing there (it left ML.NET's copies of its placeholder graphs).
        string temp = Directory.CreateDirectory(dir.Combine("temp")).FullName;
        var runs = new[] { "a", "b" }.Select(name =>
        {
            var info = CliProcess.StartInfo("train", "--data", dir.Combine("data"), "--output", dir.Combine(name), "--cache", cache, "--epochs", "3", "--resize", "crop");
            info.Environment["TMPDIR"] = temp;
            var p = Process.Start(info)!;
            return (Process: p, Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync());
        }).ToList();
        foreach (var run in runs)
        {
            Assert.True(run.Process.WaitForExit(180_000));
            Assert.True(run.Process.ExitCode == 0, await run.Out + await run.Err);
            Assert.True(File.Exists(dir.Combine(run.Process == runs[0].Process ? "a" : "b", "model.zip")));
        }

        var entries = Directory.GetFiles(cache, "*.feat", SearchOption.AllDirectories);
        Assert.Equal(45, entries.Length);
        Assert.All(entries, e => Assert.NotNull(FeatureCache.Decode(File.ReadAllBytes(e), 512)));
        Assert.Empty(Directory.GetFiles(cache, "*.tmp", SearchOption.AllDirectories));
        // Hidden files and the runtime's diagnostics channels are not the tool's.
        Assert.DoesNotContain(Directory.GetFileSystemEntries(temp).Select(Path.GetFileName),
            name => !name!.StartsWith('.') && !name.StartsWith("clr-debug-pipe-", StringComparison.Ordinal) && !name.StartsWith("dotnet-diagnostic-", StringComparison.Ordinal));

        var third = ImageClassifier.Train(new TrainSettings { DataFolder = dir.Combine("data"), OutputFolder = dir.Combine("c"), CacheFolder = cache, Training = { Epochs = 1 }, View = ImageView.Crop });
        Assert.Equal(45, third.FeatureExtraction.FromCache);
    }

    [Fact]
    public void FeaturesDoNotDependOnTheNumberOfThreads()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Path, perClass: 4);
        var paths = Directory.GetFiles(dir.Path, "*.jpg", SearchOption.AllDirectories);
        var backbone = BackboneRegistry.Get();

        ExtractionResult Extract(int inference, int decode)
        {
            using var extractor = new FeatureExtractor(backbone, new ExtractorOptions { InferenceThreads = inference, DecodeThreads = decode, BatchSize = 5 });
            return extractor.Extract(paths);
        }
        var one = Extract(1, 1);
        var two = Extract(2, 2);

        foreach (var path in paths)
            for (int k = 0; k < 512; k++)
                Assert.True(Math.Abs(one.Features[path][k] - two.Features[path][k]) <= 1e-5f, $"{path}[{k}]: {one.Features[path][k]} vs {two.Features[path][k]}");
    }
}
