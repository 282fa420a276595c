using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MlNetTransfer.Model;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Model;

public class BatchingPredictorReloadTests
{
    private static readonly string Fixtures = Path.Combine(RepoPaths.Root, "tests", "MlNetTransfer.Tests", "Fixtures", "models-0.2.0");

    // A Kubernetes ConfigMap or Secret volume: model.zip is a link to ..data/model.zip, and an update swaps the folder
    // link ..data to a new folder; the file link itself never changes, and no event names it. The predictor that
    // AddImageClassifier registers serves the new file within 5 s, and its answers are the new model's.
    [Fact]
    public async Task AModelBehindASwappedFolderLinkIsReloaded()
    {
        using var dir = new TempDir();
        foreach (var (version, model) in new[] { ("v1", "path-crop-custom.zip"), ("v2", "bytes-fill-custom.zip") })
        {
            Directory.CreateDirectory(dir.Combine(version));
            File.Copy(Path.Combine(Fixtures, model), dir.Combine(version, "model.zip"));
        }
        Directory.CreateSymbolicLink(dir.Combine("..data"), "v1");
        File.CreateSymbolicLink(dir.Combine("model.zip"), Path.Combine("..data", "model.zip"));
        using var services = new ServiceCollection().AddImageClassifier(dir.Combine("model.zip")).BuildServiceProvider();
        var predictor = services.GetRequiredService<BatchingPredictor>();
        byte[] image = File.ReadAllBytes(Path.Combine(Fixtures, "images", "circle0.png"));
        float before = (await predictor.PredictAsync(image)).Scores[0];
        Assert.Equal(Sha256(dir.Combine("v1", "model.zip")), predictor.Model.Sha256);

        Directory.CreateSymbolicLink(dir.Combine("..data_tmp"), "v2");
        Assert.Equal(0, ProcessRunner.Run("mv", ["-T", dir.Combine("..data_tmp"), dir.Combine("..data")]).ExitCode); // rename(2) over the old link, as kubelet does
        var clock = Stopwatch.StartNew();
        while (predictor.Model.Sha256 != Sha256(dir.Combine("v2", "model.zip")))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the swapped model was not loaded within 5 s");
            await Task.Delay(50);
        }
        // What 0.2.0 predicted for this image with each model (Fixtures/models-0.2.0/expected.json; the fill model
        // within 1e-3: SkiaSharp 3 resizes it a little differently, see ReleasedModelsTests).
        Assert.Equal(0.4796993f, before, 1e-4);
        Assert.Equal(0.49321705f, (await predictor.PredictAsync(image)).Scores[0], 1e-3);
        Assert.Null(predictor.ReloadProblem);
    }

    private static string Sha256(string file) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)));
}
