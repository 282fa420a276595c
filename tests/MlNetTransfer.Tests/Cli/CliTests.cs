using MlNetTransfer.Cli;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Cli;

public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => InProcessCli.Run(args);

    [Fact]
    public void UnknownFlagIsAOneLineErrorWithUsageExitCode()
    {
        var (code, _, err) = Run("train", "--epochz", "3");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("--epochz", err);
    }

    [Fact]
    public void MissingDataFolderIsAOneLineError()
    {
        using var dir = new TempDir();
        var (code, _, err) = Run("train", "--data", dir.Combine("nope"), "--output", dir.Combine("out"));
        Assert.Equal(ExitCodes.Failed, code);
        Assert.StartsWith("error: Data folder not found", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void PredictWithAMissingModelIsAOneLineError()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("a.jpg"), "x");
        var (code, _, err) = Run("predict", "--model", dir.Combine("missing.zip"), dir.Combine("a.jpg"));
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("missing.zip", err);
        Assert.Contains("file not found", err);
    }

    // This build carries the CPU ONNX Runtime: asking for CUDA is one clear line, not a crash.
    [Fact]
    public void CudaWithoutTheGpuBuildIsAOneLineError()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 2);
        var (code, _, err) = Run("train", "--data", dir.Combine("data"), "--output", dir.Combine("run"), "--cache", dir.Combine("cache"), "--device", "cuda");
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("CUDA execution provider is not available", err);
        Assert.Contains("OnnxRuntimeFlavor=Gpu", err);
    }

    [Fact]
    public void HelpListsTheCommands()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        foreach (var command in new[] { "train", "evaluate", "predict", "backbones" })
            Assert.Contains(command, output);
    }
}
