using MlNetTransfer.Data;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Data;

public class ImageDatasetTests
{
    [Fact]
    public void SplitIsStratifiedAndRepeatableForASeed()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Path, perClass: 10);

        var a = ImageDataset.Load(dir.Path, 0.2, seed: 1);
        var b = ImageDataset.Load(dir.Path, 0.2, seed: 1);
        var c = ImageDataset.Load(dir.Path, 0.2, seed: 2);

        Assert.Equal(["circle", "square", "triangle"], a.Classes);
        Assert.False(a.HasOwnSplit);
        Assert.All(Enumerable.Range(0, 3), label => Assert.Equal(2, a.Validation.Count(i => i.Label == label)));
        Assert.Equal(24, a.Train.Count);
        Assert.Empty(a.Train.Select(i => i.Path).Intersect(a.Validation.Select(i => i.Path)));
        Assert.Equal(a.Validation, b.Validation);
        Assert.NotEqual(a.Validation.Select(i => i.Path), c.Validation.Select(i => i.Path));
    }

    [Fact]
    public void TrainAndValFoldersAreTheSplit()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("train"), perClass: 4);
        TestImages.ShapeDataset(dir.Combine("valid"), perClass: 2, seed: 9);

        var data = ImageDataset.Load(dir.Path);

        Assert.True(data.HasOwnSplit);
        Assert.Equal(12, data.Train.Count);
        Assert.Equal(6, data.Validation.Count);
        Assert.All(data.Validation, i => Assert.Contains("valid", i.Path));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ATestFolderIsReadApartAndReportedAfterTraining()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("train"), perClass: 5);
        TestImages.ShapeDataset(dir.Combine("val"), perClass: 2, seed: 9);
        TestImages.ShapeDataset(dir.Combine("test"), perClass: 3, seed: 10);

        var data = ImageDataset.Load(dir.Path);
        Assert.Equal(9, data.Test.Count);
        Assert.Empty(data.Test.Select(i => i.Path).Intersect(data.Train.Concat(data.Validation).Select(i => i.Path)));

        var report = ImageClassifier.Train(new TrainSettings { DataFolder = dir.Path, OutputFolder = dir.Combine("run"), CacheFolder = dir.Combine("cache"), Training = { Epochs = 3 } });
        Assert.NotNull(report.Test);
        Assert.Equal(9, report.Test!.Count);
        Assert.Equal(6, report.Validation.Count);
        Assert.Contains("\"test\"", File.ReadAllText(dir.Combine("run", "metrics.json")));
    }

    // train/ beside test/ and no val/: the classes are train/'s, validation is a seeded split of train/, and test/
    // is evaluated once after training (not a class called "test").
    [Fact]
    [Trait("Category", "Slow")]
    public void ATrainAndTestFolderWithoutValTrainsItsClasses()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("train"), perClass: 5);
        TestImages.ShapeDataset(dir.Combine("test"), perClass: 2, seed: 10);

        var data = ImageDataset.Load(dir.Path, 0.2, seed: 1);
        Assert.Equal(["circle", "square", "triangle"], data.Classes);
        Assert.False(data.HasOwnSplit);
        Assert.All(Enumerable.Range(0, 3), label => Assert.Equal(1, data.Validation.Count(i => i.Label == label)));
        Assert.Equal(12, data.Train.Count);
        Assert.All(data.Train.Concat(data.Validation), i => Assert.Contains($"{Path.DirectorySeparatorChar}train{Path.DirectorySeparatorChar}", i.Path));
        Assert.Equal(6, data.Test.Count);

        var (code, output, error) = InProcessCli.Run("train", "--data", dir.Path, "--output", dir.Combine("run"), "--cache", dir.Combine("cache"), "--epochs", "2", "--quiet");
        Assert.True(code == 0, error);
        var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.Combine("run", "metrics.json"))).RootElement;
        Assert.Equal(["circle", "square", "triangle"], report.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(6, report.GetProperty("test").GetProperty("count").GetInt32());
        Assert.Contains("Test (evaluated once, after training)", output);
    }

    [Fact]
    public void OtherFilesAndHiddenFilesAreIgnored()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Path, perClass: 3);
        File.WriteAllText(dir.Combine("circle", "readme.txt"), "notes");
        File.Copy(dir.Combine("circle", "circle_000.jpg"), dir.Combine("circle", ".hidden.jpg"));
        Directory.CreateDirectory(dir.Combine(".thumbnails"));
        // What a macOS zip and a Synology NAS leave beside photos: metadata folders, with real JPEG thumbnails in @eaDir.
        Directory.CreateDirectory(dir.Combine("__MACOSX", "circle"));
        File.WriteAllBytes(dir.Combine("__MACOSX", "circle", "._circle_000.jpg"), [0, 5, 22, 7]);
        Directory.CreateDirectory(dir.Combine("circle", "@eaDir", "circle_000.jpg"));
        File.Copy(dir.Combine("circle", "circle_000.jpg"), dir.Combine("circle", "@eaDir", "circle_000.jpg", "SYNOFILE_THUMB_M.jpg"));

        var data = ImageDataset.Load(dir.Path, 0.34);

        Assert.Equal(3, data.Classes.Count);
        Assert.Equal(9, data.Train.Count + data.Validation.Count);
    }

    // Paths read as the folder was written (a trailing separator, a relative path), as Directory.EnumerateFiles names them.
    [Fact]
    public void FilesAreNamedUnderTheFolderAsGiven()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("photos"), perClass: 2);
        foreach (var folder in new[] { dir.Combine("photos") + Path.DirectorySeparatorChar, Path.GetRelativePath(Environment.CurrentDirectory, dir.Combine("photos")) })
            Assert.Equal(Directory.EnumerateFiles(folder, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal), ImageDataset.ImageFilesUnder(folder));
    }

    [Fact]
    public void LinkedImageFilesAreReadAndFolderLinksAreNotFollowed()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("photos"), perClass: 3);
        foreach (var shape in new[] { "circle", "square" })
        {
            Directory.CreateDirectory(dir.Combine("links", shape));
            foreach (var photo in Directory.GetFiles(dir.Combine("photos", shape)))
                File.CreateSymbolicLink(dir.Combine("links", shape, Path.GetFileName(photo)), photo);
        }
        Directory.CreateSymbolicLink(dir.Combine("links", "circle", "loop"), dir.Combine("links")); // must not hang the scan

        var data = ImageDataset.Load(dir.Combine("links"), 0.34);

        Assert.Equal(["circle", "square"], data.Classes);
        Assert.Equal(6, data.Train.Count + data.Validation.Count);
        Assert.DoesNotContain(data.Train.Concat(data.Validation), i => i.Path.Contains("loop"));
    }

    [Fact]
    public void OneClassIsAClearError()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Path, perClass: 3);
        Directory.Delete(dir.Combine("square"), true);
        Directory.Delete(dir.Combine("triangle"), true);

        var e = Assert.Throws<DatasetException>(() => ImageDataset.Load(dir.Path));
        Assert.Contains("at least 2 class", e.Message);
        Assert.Contains("circle", e.Message);
    }

    [Fact]
    public void AClassWithoutImagesIsAClearError()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Path, perClass: 3);
        Directory.CreateDirectory(dir.Combine("hexagon"));

        var e = Assert.Throws<DatasetException>(() => ImageDataset.Load(dir.Path));
        Assert.Contains("hexagon", e.Message);
    }

    // Photos that cannot be read stay with training (listed as skipped there): validation gets only usable ones, and
    // the readable photos split as they would without them.
    [Fact]
    public void UnreadablePhotosTakeNoShareOfValidation()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Path, perClass: 4);
        var before = ImageDataset.Load(dir.Path, 0.5);
        for (int i = 0; i < 6; i++) File.WriteAllBytes(dir.Combine("circle", $"IMG_{i}.HEIC"), OddImages.HeicStart());

        var data = ImageDataset.Load(dir.Path, 0.5);

        Assert.Equal(before.Validation, data.Validation);
        Assert.Equal(6, data.Train.Count(i => i.Path.EndsWith(".HEIC")));
        Assert.Equal(before.Train.Count + 6, data.Train.Count);
    }

    [Fact]
    public void AClassOfHeicPhotosOnlyIsAClearError()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Path, perClass: 3);
        Directory.CreateDirectory(dir.Combine("phone"));
        for (int i = 0; i < 2; i++) File.WriteAllBytes(dir.Combine("phone", $"IMG_{i}.HEIC"), OddImages.HeicStart());

        var e = Assert.Throws<DatasetException>(() => ImageDataset.Load(dir.Path));
        Assert.Contains("phone", e.Message);
        Assert.Contains("2 .heic", e.Message);
        Assert.Contains("convert them to JPEG or PNG", e.Message);
    }

    [Fact]
    public void MissingFolderIsAClearError()
    {
        var e = Assert.Throws<DatasetException>(() => ImageDataset.Load("/no/such/folder"));
        Assert.Contains("/no/such/folder", e.Message);
    }
}
