using MlNetTransfer.Model;

namespace MlNetTransfer.Tests.Model;

/// <summary>
/// The tool's few dependencies on ML.NET beyond its public API, exercised on a tiny model: an ML.NET upgrade that
/// breaks one fails here with the seam's name (see src/MlNetTransfer/Model/MlNetInternals.cs).
/// </summary>
public class MlNetInternalsTests
{
    [Fact]
    public void EverySeamHoldsWithThisMlNetVersion() => MlNetInternals.Probe();

    [Fact]
    public void VersionsComeFromTheAssemblies()
    {
        // The package versions this build restored, as the runtime's dependency file lists them.
        string deps = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "MlNetTransfer.Tests.deps.json"));
        Assert.Contains($"\"Microsoft.ML/{MlNetInternals.MlNetVersion}\"", deps);
        Assert.Contains($"\"Microsoft.ML.OnnxRuntime.Managed/{MlNetInternals.OnnxRuntimeVersion}\"", deps);
        Assert.Matches(@"^decoder=mlnet-imageanalytics-\d+\.\d+\.\d+.*\+skiasharp-\d+\.\d+\.\d+", MlNetTransfer.Data.ImagePixels.DecoderSignature);
    }
}
