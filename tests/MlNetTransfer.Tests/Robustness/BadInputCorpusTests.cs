using MlNetTransfer.Cli;
using MlNetTransfer.Data;
using MlNetTransfer.Model;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Robustness;

/// <summary>Every kind of file a photo folder holds either trains, or is listed as skipped with a reason; a data set that cannot be used stops with one clear error.</summary>
public class BadInputCorpusTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void EachOddFileTrainsOrIsSkippedWithAReasonAndTheModelSeesTheSamePixels()
    {
        using var dir = new TempDir();
        string train = dir.Combine("data", "train"), val = dir.Combine("data", "val");
        TestImages.ShapeDataset(train, perClass: 5);
        TestImages.ShapeDataset(val, perClass: 2, seed: 11);
        string circle = Path.Combine(train, "circle"), square = Path.Combine(train, "square");

        var trains = new Dictionary<string, byte[]>
        {
            [Path.Combine(circle, "animated.gif")] = OddImages.AnimatedGif(),
            [Path.Combine(circle, "gray.png")] = OddImages.GrayscalePng(40),
            [Path.Combine(circle, "deep16.png")] = OddImages.Png16Bit(40),
            [Path.Combine(square, "palette alpha.png")] = OddImages.PalettePngWithAlpha(40),
            [Path.Combine(square, "tiny 1x1.jpg")] = OddImages.Jpeg(1, 1),
            [Path.Combine(square, "émile ñandú 写真.jpg")] = OddImages.Jpeg(50, 30),
            // In the validation set, so the saved model's predictions for them are compared with the trainer's.
            [Path.Combine(val, "circle", "cmyk.jpg")] = OddImages.CmykJpeg(),
            [Path.Combine(val, "square", "exif rotated.jpg")] = OddImages.ExifRotatedJpeg(60, 30),
        };
        var skipped = new Dictionary<string, (byte[] Bytes, string Reason)>
        {
            [Path.Combine(circle, "empty.jpg")] = ([], "empty file"),
            [Path.Combine(circle, "notes.jpg")] = ("just some text\n"u8.ToArray(), "not a decodable image"),
            [Path.Combine(square, "page.png")] = ("<html><body>404</body></html>"u8.ToArray(), "not a decodable image"),
            [Path.Combine(square, "cut.jpg")] = (OddImages.Jpeg(200, 150)[..900], "truncated"),
            [Path.Combine(square, "huge.png")] = (OddImages.PngHeaderClaiming(30000, 30000), "too large"),
            // Photo formats that cannot be read are listed, not dropped without a word.
            [Path.Combine(circle, "IMG_0042.HEIC")] = (OddImages.HeicStart(), "HEIC/HEIF image, a format not read here"),
            [Path.Combine(square, "scan.tiff")] = (OddImages.Tiff(20, 20), "TIFF image, a format not read here"),
        };
        foreach (var (path, bytes) in trains) File.WriteAllBytes(path, bytes);
        foreach (var (path, (bytes, _)) in skipped) File.WriteAllBytes(path, bytes);
        File.WriteAllBytes(Path.Combine(circle, ".hidden.jpg"), OddImages.Jpeg(20, 20));
        File.WriteAllText(Path.Combine(circle, "labels.csv"), "a,b");
        File.WriteAllBytes(Path.Combine(circle, "raw.dng"), OddImages.Tiff(20, 20));
        Directory.CreateSymbolicLink(Path.Combine(circle, "loop"), train); // a folder link back up: must not hang the scan

        var report = ImageClassifier.Train(new TrainSettings
        {
            DataFolder = dir.Combine("data"),
            OutputFolder = dir.Combine("run"),
            CacheFolder = dir.Combine("cache"),
            Training = { Epochs = 4 },
        });

        Assert.Equal(skipped.Keys.Order(StringComparer.Ordinal), report.Skipped.Select(s => s.Path));
        foreach (var s in report.Skipped)
            Assert.Contains(skipped[s.Path].Reason, s.Reason);
        int shapes = 3 * 5 + 3 * 2;
        Assert.Equal(shapes + trains.Count + skipped.Count, report.FeatureExtraction.Images); // hidden, .csv, .dng and the link are not images
        Assert.Equal(shapes + trains.Count, report.FeatureExtraction.Extracted);

        using var model = TrainedModel.Load(report.ModelPath);
        foreach (var expected in report.ValidationPredictions)
        {
            var actual = model.Predict(expected.ImagePath);
            Assert.Equal(expected.PredictedLabel, actual.PredictedLabel);
            for (int k = 0; k < actual.Scores.Count; k++)
                Assert.True(Math.Abs(expected.Scores[k] - actual.Scores[k]) <= 1e-4, $"{expected.ImagePath}: {expected.Scores[k]} vs {actual.Scores[k]}");
        }
        Assert.Contains(report.ValidationPredictions, p => p.ImagePath.EndsWith("exif rotated.jpg"));
        Assert.Contains(report.ValidationPredictions, p => p.ImagePath.EndsWith("cmyk.jpg"));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void AClassWithASingleImageTrains()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Path, perClass: 4);
        foreach (var f in Directory.GetFiles(dir.Combine("triangle")).Skip(1)) File.Delete(f);

        var report = ImageClassifier.Train(new TrainSettings { DataFolder = dir.Path, OutputFolder = dir.Combine("run"), CacheFolder = dir.Combine("cache"), Training = { Epochs = 2 } });

        Assert.Equal(9, report.FeatureExtraction.Images);
        Assert.True(File.Exists(report.ModelPath));
    }

    [Theory]
    [InlineData("empty-class", "no image files")]
    [InlineData("one-class", "at least 2 class")]
    [InlineData("all-unreadable-class", "no usable training image")]
    public void UnusableDataSetsStopWithOneClearErrorAndNonZeroExit(string kind, string message)
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Path, perClass: 3);
        switch (kind)
        {
            case "empty-class":
                Directory.CreateDirectory(dir.Combine("hexagon"));
                break;
            case "one-class":
                Directory.Delete(dir.Combine("square"), true);
                Directory.Delete(dir.Combine("triangle"), true);
                break;
            case "all-unreadable-class":
                foreach (var f in Directory.GetFiles(dir.Combine("triangle"))) File.WriteAllText(f, "not an image");
                break;
        }
        var output = new StringWriter();
        var error = new StringWriter();

        int code = CliApp.Run(["train", "--data", dir.Path, "--output", dir.Combine("run"), "--cache", dir.Combine("cache")], output, error);

        Assert.Equal(ExitCodes.Failed, code);
        var lines = error.ToString().Trim().Split('\n');
        Assert.Single(lines);
        Assert.Contains(message, lines[0]);
        Assert.False(File.Exists(dir.Combine("run", "model.zip")));
    }
}
