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

    // Every command that takes a model says the same of one that is not there, in one line.
    [Theory]
    [InlineData("predict")]
    [InlineData("evaluate")]
    [InlineData("explain")]
    [InlineData("export")]
    [InlineData("codegen")]
    [InlineData("serve")]
    public void AMissingModelIsTheSameOneLineErrorForEveryCommand(string command)
    {
        using var dir = new TempDir();
        string missing = dir.Combine("no such folder", "model.zip");
        File.WriteAllText(dir.Combine("a.jpg"), "x");
        string[] args = command switch
        {
            "predict" => ["predict", "--model", missing, dir.Combine("a.jpg")],
            "evaluate" => ["evaluate", "--model", missing, "--data", dir.Path, "--output", dir.Combine("report")],
            "explain" => ["explain", "--model", missing, dir.Combine("a.jpg"), "--output", dir.Combine("heatmaps")],
            "export" => ["export", "--model", missing, "--onnx", dir.Combine("model.onnx")],
            "codegen" => ["codegen", "--model", missing, "--output", dir.Combine("app")],
            _ => ["serve", "--model", missing, "--urls", "http://127.0.0.1:0"],
        };
        var output = new StringWriter();
        var error = new StringWriter();

        int code = CliApp.Run(args, output, error);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal($"error: Cannot load model {missing}: file not found", error.ToString().Trim());
    }

    private sealed class Row
    {
        public float A { get; set; }
        public float B { get; set; }
    }
}
