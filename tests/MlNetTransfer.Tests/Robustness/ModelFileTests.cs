using Microsoft.ML;
using MlNetTransfer.Cli;
using MlNetTransfer.Model;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Robustness;

public class ModelFileTests
{
    [Fact]
    public void AModelFromAnotherPipelineIsRefusedClearly()
    {
        using var dir = new TempDir();
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { A = 1, B = 2 } });
        var other = ml.Transforms.Concatenate("Features", "A", "B").Fit(data);
        string path = dir.Combine("other.zip");
        ml.Model.Save(other, data.Schema, path);
        File.WriteAllText(dir.Combine("x.jpg"), "x");

        var e = Assert.Throws<ModelLoadException>(() => TrainedModel.Load(path));
        Assert.Contains("not one written by MlNetTransfer", e.Message);

        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(["evaluate", "--model", path, "--data", dir.Path], output, error);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.Contains("other.zip", error.ToString());
    }

    [Fact]
    public void NonZipAndTruncatedZipGiveOneLineErrorsFromTheCli()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("model.zip"), "<html>not a model</html>");
        File.WriteAllText(dir.Combine("a.jpg"), "x");
        var output = new StringWriter();
        var error = new StringWriter();

        int code = CliApp.Run(["predict", "--model", dir.Combine("model.zip"), dir.Combine("a.jpg")], output, error);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.Contains("not a valid zip", error.ToString());
    }

    private sealed class Row
    {
        public float A { get; set; }
        public float B { get; set; }
    }
}
