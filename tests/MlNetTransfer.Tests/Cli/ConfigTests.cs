using System.Text.Json;
using MlNetTransfer.Cli;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Cli;

public class ConfigTests
{
    // train.json holds the resolved settings; `train --config train.json` must give the same metrics.
    [Fact]
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
