using System.Text.Json;
using MlNetTransfer.Features;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Features;

public class ShardTests
{
    [Fact]
    public void SharesAreDisjointCoverEveryImageAndParseAsKOfN()
    {
        var paths = Enumerable.Range(0, 300).Select(i => $"/data/class{i % 3}/img{i}.jpg").ToList();
        var shares = Enumerable.Range(0, 3).Select(k => paths.Where(p => new Shard(k, 3).Contains("/data", p)).ToList()).ToList();
        Assert.Equal(300, shares.Sum(s => s.Count));
        Assert.Equal(300, shares.SelectMany(s => s).Distinct().Count());
        Assert.All(shares, s => Assert.InRange(s.Count, 60, 140)); // hashed, so about a third each
        Assert.Equal(new Shard(2, 4), Shard.Parse("2/4"));
        Assert.Throws<ArgumentException>(() => Shard.Parse("4/4"));
        Assert.Throws<ArgumentException>(() => Shard.Parse("two"));
    }

    // extract exists to fill the cache: told to use none, it says so instead of extracting into nothing.
    [Fact]
    public void ExtractWithoutACacheIsAClearError()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 2);
        var settings = new TrainSettings { DataFolder = dir.Combine("data"), UseCache = false };
        var error = Assert.Throws<MlNetTransferException>(() => ImageClassifier.Extract(settings, Shard.All));
        Assert.Equal(nameof(TrainSettings.UseCache), error.Setting);
        Assert.DoesNotContain("--", error.Message); // the library's terms; the command line names its flag:
        var (code, _, cli) = InProcessCli.Run("extract", "--data", dir.Combine("data"), "--no-cache");
        Assert.Equal(MlNetTransfer.Cli.ExitCodes.Failed, code);
        Assert.Single(cli.Trim().Split('\n'));
        Assert.Contains("UseCache", cli);
        Assert.Contains("(command line: --no-cache)", cli);
    }

    // Three extract processes at once, each with one share, on one cache: every image extracted exactly once, in the view
    // train's default chooses, the features byte for byte a single process's, and a following train with the same flags
    // extracts nothing.
    [Fact]
    [Trait("Category", "Slow")]
    public void ThreeShardProcessesFillOneCacheThatTrainThenReadsWhole()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 12);
        string cache = dir.Combine("cache");
        var processes = Enumerable.Range(0, 3).Select(k => Task.Run(() =>
            CliProcess.Run("extract", "--data", dir.Combine("data"), "--cache", cache, "--shard", $"{k}/3", "--quiet"))).ToList();
        var results = processes.Select(p => p.GetAwaiter().GetResult()).ToList();
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Output + r.Error));
        var extracted = results.Select(r => int.Parse(System.Text.RegularExpressions.Regex.Match(r.Output, @"(\d+) extracted").Groups[1].Value)).ToList();
        Assert.Equal(36, extracted.Sum()); // each of the 36 images once
        Assert.All(extracted, e => Assert.True(e > 0, string.Join(", ", extracted)));

        var single = dir.Combine("single-cache");
        Assert.Equal(0, InProcessCli.Run("extract", "--data", dir.Combine("data"), "--cache", single, "--quiet").Code);
        var sharded = Entries(cache);
        Assert.Equal(Entries(single).Keys.Order(), sharded.Keys.Order());
        Assert.All(Entries(single), e => Assert.Equal(e.Value, sharded[e.Key]));

        var (code, _, error) = InProcessCli.Run("train", "--data", dir.Combine("data"), "--cache", cache, "--output", dir.Combine("run"), "--epochs", "2", "--quiet");
        Assert.True(code == 0, error);
        var extraction = JsonDocument.Parse(File.ReadAllText(dir.Combine("run", "metrics.json"))).RootElement.GetProperty("featureExtraction");
        Assert.Equal(36, extraction.GetProperty("fromCache").GetInt32());
        Assert.Equal(0, extraction.GetProperty("extracted").GetInt32());
    }

    // With int8, each shard process calibrates on the same training images to the same calibration, and train with the
    // same flags then reads everything.
    [Fact]
    [Trait("Category", "Slow")]
    public void Int8ShardsCalibrateAlikeAndTrainExtractsNothing()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 6);
        string cache = dir.Combine("cache");
        foreach (int k in new[] { 0, 1 })
        {
            var run = InProcessCli.Run("extract", "--data", dir.Combine("data"), "--cache", cache, "--shard", $"{k}/2", "--precision", "int8", "--resize", "crop", "--quiet");
            Assert.Equal(0, run.Code);
            Assert.StartsWith("Network: int8 (as set)", run.Out); // said first, so that shards can be checked to agree
        }
        Assert.Single(Directory.GetFiles(cache, "int8-calibration-*.json", SearchOption.AllDirectories));

        var (code, _, error) = InProcessCli.Run("train", "--data", dir.Combine("data"), "--cache", cache, "--output", dir.Combine("run"), "--epochs", "2", "--precision", "int8", "--resize", "crop", "--quiet");
        Assert.True(code == 0, error);
        Assert.Equal(0, JsonDocument.Parse(File.ReadAllText(dir.Combine("run", "metrics.json"))).RootElement.GetProperty("featureExtraction").GetProperty("extracted").GetInt32());
    }

    private static Dictionary<string, byte[]> Entries(string cache) =>
        Directory.GetFiles(cache, "*.feat", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(cache, f), File.ReadAllBytes); // one folder per view
}
