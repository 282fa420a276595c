using System.Diagnostics;
using System.Text.RegularExpressions;
using MlNetTransfer.Reports;
using MlNetTransfer.Tests.Model;
using MlNetTransfer.Tests.Support;
using SkiaSharp;

namespace MlNetTransfer.Tests.Reports;

[Trait("Category", "Slow")]
[Collection(TrainedRunCollection.Name)]
public class HtmlReportTests(TrainedRunFixture run)
{
    [Fact]
    public void TrainingWritesASelfContainedReportAndChartPngs()
    {
        string folder = run.Settings.OutputFolder;
        var html = File.ReadAllText(Path.Combine(folder, HtmlReport.FileName));
        // learning curves, reliability diagram, confusion matrix, and where the model looked for each wrong validation image
        Assert.Equal(3 + WrongShown(), Regex.Matches(html, "src=\"data:image/png;base64,").Count);
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain("src=\"file", html);
        foreach (var c in run.Report.Classes) Assert.Contains(c, html);
        foreach (var png in new[] { HtmlReport.CurvesPng, HtmlReport.ReliabilityPng, HtmlReport.ConfusionPng })
        {
            using var bitmap = SKBitmap.Decode(Path.Combine(folder, png));
            Assert.NotNull(bitmap);
            Assert.True(bitmap.Width > 200 && bitmap.Height > 100);
        }
    }

    // Circles filed as squares: the evaluation is sure to have confidently wrong images, shown as thumbnails, each
    // with where the model looked (a Grad-CAM overlay).
    [Fact]
    public void EvaluationReportShowsTheMostConfidentlyWrongImagesAsThumbnailsWithWhereTheModelLooked()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 3, seed: 21);
        foreach (var f in Directory.GetFiles(dir.Combine("data", "circle")))
            File.Move(f, Path.Combine(dir.Combine("data", "square"), "filed-wrong-" + Path.GetFileName(f)));
        Directory.Delete(dir.Combine("data", "circle"));

        var evaluation = ImageClassifier.Evaluate(run.Report.ModelPath, dir.Combine("data"), run.Settings.CacheFolder);
        var path = HtmlReport.Write(dir.Combine("report"), "test evaluation", evaluation, modelPath: run.Report.ModelPath);

        var html = File.ReadAllText(path);
        int thumbnails = Regex.Matches(html, "<div class=wrong[^>]*><img alt=\"[^\"]+\" src=\"data:image/jpeg;base64,[^\"]+\"><img alt=\"where the model looked\" src=\"data:image/png;base64,").Count;
        Assert.True(thumbnails >= 3, $"{thumbnails} thumbnails with their overlay");
        Assert.Contains("filed-wrong-", html);
        Assert.Contains("true: <b>square</b>", html);
    }

    // A copy of a training image in another class's validation share: the report's data check section shows the
    // pair, and the likely mislabelled image, as thumbnails.
    [Fact]
    public void TheTrainingReportShowsTheDataChecksFindingsWithThumbnails()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data", "train"), perClass: 6, seed: 3);
        TestImages.ShapeDataset(dir.Combine("data", "val"), perClass: 2, seed: 4);
        File.Copy(dir.Combine("data", "train", "circle", "circle_000.jpg"), dir.Combine("data", "val", "circle", "copied-from-train.jpg"));

        var report = ImageClassifier.Train(new TrainSettings
        {
            DataFolder = dir.Combine("data"), OutputFolder = dir.Combine("run"), CacheFolder = run.Settings.CacheFolder, Training = { Epochs = 2 },
        });

        Assert.Equal(1, report.DataCheck!.TrainValidationLeakCount);
        var html = File.ReadAllText(report.ReportPath);
        int section = html.IndexOf("<div id=data-check>", StringComparison.Ordinal);
        Assert.True(section > html.IndexOf("Confusion matrix", StringComparison.Ordinal), "the data check sits beside the confusion matrix");
        var checkHtml = html[section..html.IndexOf("<h2>Per class", StringComparison.Ordinal)];
        Assert.Contains("In training and validation (1)", checkHtml);
        Assert.Contains("copied-from-train.jpg", checkHtml);
        Assert.Contains("identical", checkHtml);
        Assert.True(Regex.Matches(checkHtml, "<div class=thumb><img alt=\"[^\"]+\" src=\"data:image/jpeg;base64,").Count >= 2);
    }

    // The page as a browser renders it: headless Chromium loads it and the charts and thumbnails are in the DOM, decoded.
    [SkippableFact]
    public void ReportRendersInHeadlessChromium()
    {
        string? chromium = new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(name => Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists))
            .FirstOrDefault(p => p is not null);
        Skip.If(chromium is null, "Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it), so the report was not rendered in a browser.");

        using var dir = new TempDir();
        string page = Path.Combine(run.Settings.OutputFolder, HtmlReport.FileName);
        string screenshot = dir.Combine("report.png");
        // --dump-dom after load; images that failed to decode have naturalWidth 0, so the script marks the loaded ones.
        var result = ProcessRunner.Run(chromium!, ["--headless", "--no-sandbox", "--disable-gpu", $"--screenshot={screenshot}", "--window-size=1200,1600", "file://" + page], timeoutSeconds: 120);
        Assert.True(File.Exists(screenshot), result.Error);
        using (var shot = SKBitmap.Decode(screenshot))
        {
            Assert.NotNull(shot);
            Assert.Equal(1200, shot.Width);
            // A rendered page with charts is far from blank: count non-white pixels.
            int coloured = 0;
            for (int y = 0; y < shot.Height; y += 4)
                for (int x = 0; x < shot.Width; x += 4)
                    if (shot.GetPixel(x, y) is var c && (c.Red < 200 || c.Green < 200 || c.Blue < 200)) coloured++;
            Assert.True(coloured > 2000, $"{coloured} coloured samples: the page looks empty");
        }
        var dom = ProcessRunner.Run(chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + page], timeoutSeconds: 120);
        Assert.Equal(3 + WrongShown(), Regex.Matches(dom.Output, "src=\"data:image/png;base64,").Count);
    }

    private int WrongShown() => Math.Min(12, run.Report.ValidationPredictions.Count(p => p.PredictedLabel != p.Label));
}
