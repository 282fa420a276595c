using System.Text.Json;
using MlNetTransfer.Cli;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Cli;

public class ConfigTests
{
    // train.json holds the resolved settings; `train --config train.json` must give the same metrics.
    [Fact]
    [Trait("Category", "Slow")]
    public void TrainWithTheWrittenConfigReproducesTheMetrics()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 6);
        var first = Run("train", "--data", dir.Combine("data"), "--output", dir.Combine("a"), "--cache", dir.Combine("cache"),
            "--epochs", "6", "--seed", "3", "--hidden", "64", "--learning-rate", "0.02", "--quiet");
        Assert.Equal(0, first);
        var config = File.ReadAllText(dir.Combine("a", "train.json"));
        Assert.Contains("\"seed\": 3", config);
        Assert.Contains("\"hidden\": 64", config);

        var second = Run("train", "--config", dir.Combine("a", "train.json"), "--output", dir.Combine("b"), "--quiet");
        Assert.Equal(0, second);

        using var a = JsonDocument.Parse(File.ReadAllText(dir.Combine("a", "metrics.json")));
        using var b = JsonDocument.Parse(File.ReadAllText(dir.Combine("b", "metrics.json")));
        Assert.Equal(a.RootElement.GetProperty("bestEpoch").GetInt32(), b.RootElement.GetProperty("bestEpoch").GetInt32());
        string Epochs(JsonDocument d) => string.Join(";", d.RootElement.GetProperty("epochs").EnumerateArray()
            .Select(e => $"{e.GetProperty("trainLoss").GetDouble()}|{e.GetProperty("validationLoss").GetDouble()}|{e.GetProperty("validationAccuracy").GetDouble()}"));
        Assert.Equal(Epochs(a), Epochs(b));

        var csv = File.ReadAllLines(dir.Combine("a", "epochs.csv"));
        Assert.StartsWith("epoch,train_loss,train_accuracy,validation_loss,validation_accuracy", csv[0]);
        Assert.Equal(a.RootElement.GetProperty("epochs").GetArrayLength() + 1, csv.Length);
    }

    // Defaults, then train.json, then flags: settings that have no flag (extraction threads, the pixel limit) keep the
    // file's values, and a flag given on the command line wins over the file.
    [Fact]
    [Trait("Category", "Slow")]
    public void SettingsWithoutAFlagKeepTheFilesValueAndFlagsOverrideTheFile()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 4);
        var file = new TrainSettings
        {
            DataFolder = dir.Combine("data"),
            OutputFolder = dir.Combine("from-file"),
            CacheFolder = dir.Combine("cache"),
            Training = { Epochs = 2, Seed = 5 },
            Extraction = { DecodeThreads = 1, InferenceThreads = 1, MaxPixels = 123_456_789, BatchSize = 8 },
        };
        File.WriteAllText(dir.Combine("train.json"), System.Text.Json.JsonSerializer.Serialize(file, MlNetTransfer.IO.Json.Options));

        Assert.Equal(0, Run("train", "--config", dir.Combine("train.json"), "--seed", "9", "--quiet"));

        var written = TrainSettings.Load(dir.Combine("from-file", "train.json"));
        Assert.Equal((1, 1, 123_456_789L, 8), (written.Extraction.DecodeThreads, written.Extraction.InferenceThreads, written.Extraction.MaxPixels, written.Extraction.BatchSize));
        Assert.Equal(2, written.Training.Epochs);  // from the file
        Assert.Equal(9, written.Training.Seed);    // the flag over the file
        Assert.Equal(Path.GetFullPath(dir.Combine("data")), written.DataFolder);
    }

    // A flag's --help default is the library's own default: written once, in TrainSettings/TrainingOptions.
    [Fact]
    public void HelpShowsTheLibrarysDefaults()
    {
        var output = new StringWriter();
        CliApp.Run(["train", "--help"], output, new StringWriter());
        var defaults = new TrainSettings { DataFolder = "" };
        string help = output.ToString();
        foreach (var (flag, value) in new[] { ("--epochs", $"{defaults.Training.Epochs}"), ("--output", defaults.OutputFolder),
                     ("--validation-fraction", $"{defaults.ValidationFraction}"), ("--extract-batch-size", $"{defaults.Extraction.BatchSize}") })
        {
            var line = help.Split('\n').Single(l => l.TrimStart().StartsWith(flag + " "));
            Assert.Contains($"[default: {value}]", line);
        }
    }

    [Fact]
    public void AnUnreadableConfigIsAOneLineError()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("train.json"), "{ not json");
        var error = new StringWriter();
        int code = CliApp.Run(["train", "--config", dir.Combine("train.json")], new StringWriter(), error);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("train.json", error.ToString());
        Assert.Single(error.ToString().Trim().Split('\n'));
    }

    private static int Run(params string[] args) => CliApp.Run(args, new StringWriter(), new StringWriter());
}
