using System.Text.RegularExpressions;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Vision;

/// <summary>
/// ML.NET's image classification sample (Train and Predict), ported with only its package references, the using line,
/// the target framework and the image folder changed (tests/PortedSample), builds against the packed MlNetTransfer
/// package and runs: Train trains from image bytes, evaluates, saves and predicts one image, and leaves nothing in its
/// temp folder though it never disposes the model; Predict, a separate program, loads the zip and predicts every image
/// from bytes.
/// </summary>
[Trait("Category", "Slow")]
public class OfficialSamplePortTests
{
    private static readonly string[] Classes = ["circle", "square", "triangle"];

    [Fact]
    public void TheSampleTrainsEvaluatesSavesAndItsPredictProgramPredictsFromBytes()
    {
        using var dir = new TempDir();
        string sample = dir.Combine("sample");
        CopyFolder(Path.Combine(RepoPaths.Root, "tests", "PortedSample"), sample);
        LocalFeed.AddTo(sample);
        string train = Path.Combine(sample, "ImageClassification.Train"), predict = Path.Combine(sample, "ImageClassification.Predict");
        TestImages.ShapeDataset(Path.Combine(train, "assets", "inputs", "images", "flower_photos_small_set"), perClass: 15);
        Directory.CreateDirectory(Path.Combine(train, "assets", "outputs"));
        var forPredictions = Path.Combine(predict, "assets", "inputs", "images-for-predictions");
        TestImages.ShapeDataset(dir.Combine("more"), perClass: 2, seed: 77);
        foreach (var file in Directory.GetFiles(dir.Combine("more"), "*.jpg", SearchOption.AllDirectories))
        {
            CopyTo(file, Path.Combine(train, "assets", "inputs", "test-images"));
            CopyTo(file, forPredictions);
        }

        ProcessRunner.Result build;
        lock (LocalFeed.RestoreLock)
            build = ProcessRunner.Run("dotnet", ["build", Path.Combine(sample, "ImageClassificationTraining.sln"), $"-p:MlNetTransferVersion={LocalFeed.Version}", "--nologo", "-v", "q"]);
        Assert.True(build.ExitCode == 0, build.Output + build.Error);

        string temp = Directory.CreateDirectory(dir.Combine("temp")).FullName;
        var trained = RunInATerminal(Path.Combine(train, "bin", "Debug", "net10.0", "ImageClassification.Train.dll"), temp);
        Assert.DoesNotContain(Directory.GetFiles(temp), f => new FileInfo(f).Length > 1_000_000); // the estimator's graph
        Assert.DoesNotContain("Exception", trained);
        Assert.Contains("[Source=ImageClassificationTrainer; ImageClassificationTrainer, Kind=Trace] Phase: Bottleneck Computation, Dataset used: Validation, Image Index:   1", trained);
        Assert.Contains("Phase: Training, Dataset used:      Train", trained);
        var accuracy = double.Parse(Regex.Match(trained, @"AccuracyMicro = ([0-9.]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(accuracy >= 0.6, $"micro accuracy {accuracy}");
        Assert.Matches(@"Image Filename : \[[a-z]+_\d+\.jpg\], Scores : \[[0-9.,E-]+\], Predicted Label : (circle|square|triangle)", trained);
        string model = Path.Combine(train, "assets", "outputs", "imageClassifier.zip");
        Assert.True(File.Exists(model), trained);

        CopyTo(model, Path.Combine(predict, "assets", "inputs", "MLNETModel"));
        var predicted = RunInATerminal(Path.Combine(predict, "bin", "Debug", "net10.0", "ImageClassification.Predict.dll"));
        Assert.DoesNotContain("Exception", predicted);
        Assert.Contains("Predicting several images...", predicted);
        var lines = Regex.Matches(predicted, @"Image Filename : \[([a-z]+)_\d+\.jpg\], Predicted Label : \[([a-z]+)\], Probability : \[[0-9.E-]+\]");
        Assert.Equal(Directory.GetFiles(forPredictions).Length + 1, lines.Count); // the first image twice: alone, then with all
        Assert.All(lines, m => Assert.Contains(m.Groups[2].Value, Classes));
        Assert.True(lines.Count(m => m.Groups[1].Value == m.Groups[2].Value) >= lines.Count / 2, predicted);
    }

    // The programs end with Console.ReadKey(), which needs a terminal: `script` gives them one, and keys.
    private static string RunInATerminal(string dll, string? tempFolder = null)
    {
        var result = ProcessRunner.Run("bash", ["-c", "while printf x; do sleep 1; done | script -qec \"TMPDIR='$1' dotnet '$0'\" /dev/null", dll, tempFolder ?? Path.GetTempPath()],
            workingDirectory: Path.GetDirectoryName(dll), timeoutSeconds: 240);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        return result.Output.Replace("\r", "");
    }

    private static void CopyTo(string file, string folder)
    {
        Directory.CreateDirectory(folder);
        File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj")) continue;
            CopyTo(file, Path.GetDirectoryName(Path.Combine(to, relative))!);
        }
    }
}
