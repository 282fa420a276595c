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
    public void AMistypedCommandIsNamed()
    {
        var (code, _, err) = Run("trian", "--data", "photos");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("error: Unrecognized command or argument 'trian'. (run with --help for usage)", err.Trim());
    }

    // Choices are the docs' lower-case words in help and in errors (any case is taken), never a .NET type name.
    [Fact]
    public void AWrongChoiceIsAOneLineErrorThatListsTheChoices()
    {
        var (code, _, err) = Run("train", "--monitor", "los");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("error: --monitor takes loss or accuracy, not 'los'. (run with --help for usage)", err.Trim());

        var (_, help, _) = Run("train", "--help");
        Assert.Contains("--resize <auto|crop|fill|isocrop>", help);
        Assert.Contains("--device <cpu|cuda>", help);
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

    // The library's user errors are one line; anything else is a bug, printed as one: with its trace and its own exit code.
    [Fact]
    public void AnUnexpectedExceptionIsPrintedAsABugWithItsTrace()
    {
        var error = new StringWriter();
        int code = CommandRunner.Run(error, verbose: false, _ => throw new InvalidOperationException("the unexpected"));
        Assert.Equal(ExitCodes.InternalError, code);
        Assert.StartsWith("internal error", error.ToString());
        Assert.Contains("System.InvalidOperationException: the unexpected", error.ToString());
        Assert.Contains("   at ", error.ToString());

        error = new StringWriter();
        code = CommandRunner.Run(error, verbose: false, _ => throw new ArgumentException("a programming error"));
        Assert.Equal(ExitCodes.InternalError, code);
        Assert.Contains("   at ", error.ToString());

        error = new StringWriter();
        code = CommandRunner.Run(error, verbose: false, _ => throw new MlNetTransferException("TrainingOptions.Epochs must be at least 1, not 0.", "Training.Epochs"),
            new Dictionary<string, string> { ["Training.Epochs"] = "--epochs" });
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal("error: TrainingOptions.Epochs must be at least 1, not 0. (command line: --epochs)", error.ToString().Trim());
    }

    [Fact]
    public void ASettingOutOfRangeIsAOneLineErrorNamingItsFlag()
    {
        using var dir = new TempDir();
        var (code, _, err) = Run("train", "--data", dir.Path, "--output", dir.Combine("out"), "--epochs", "0");
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("TrainingOptions.Epochs", err);
        Assert.Contains("(command line: --epochs)", err);
    }

    [Fact]
    public void AMalformedFlagValueIsAUsageError()
    {
        using var dir = new TempDir();
        var (code, _, err) = Run("train", "--data", dir.Path, "--output", dir.Combine("out"), "--mean", "0.5,x,0.5");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("--mean takes three comma-separated numbers", err);
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
