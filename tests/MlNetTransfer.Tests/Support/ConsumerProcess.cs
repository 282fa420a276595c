using System.Globalization;

namespace MlNetTransfer.Tests.Support;

/// <summary>Runs samples/ModelConsumer (an app with the ML.NET packages only) in its own process on a model.zip.</summary>
public static class ConsumerProcess
{
    /// <summary>
    /// Predicts <paramref name="expected"/>'s images with the consumer and asserts the same labels and every
    /// probability within 1e-4 of the trainer's; where <paramref name="expected"/> has a novelty, the same novelty
    /// (within 1e-4) and unknown flag.
    /// </summary>
    public static void AssertReproduces(string modelPath, IReadOnlyList<MlNetTransfer.Model.Prediction> expected)
    {
        var consumer = Path.Combine(RepoPaths.Root, "samples", "ModelConsumer");
        var result = ProcessRunner.Run("dotnet", ["run", "--project", consumer, "--", modelPath, .. expected.Select(p => p.ImagePath)]);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);

        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains('\t')).ToList();
        Assert.Equal(expected.Count, lines.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var parts = lines[i].Split('\t');
            Assert.Equal(expected[i].ImagePath, parts[0]);
            Assert.Equal(expected[i].PredictedLabel, parts[1]);
            var scores = parts[2].Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(expected[i].Scores.Count, scores.Length);
            for (int k = 0; k < scores.Length; k++)
                Assert.True(Math.Abs(expected[i].Scores[k] - scores[k]) <= 1e-4, $"{expected[i].ImagePath} class {k}: {expected[i].Scores[k]} vs {scores[k]}");
            Assert.Equal(expected[i].Novelty is null ? 3 : 5, parts.Length);
            if (expected[i].Novelty is { } novelty)
            {
                float consumerNovelty = float.Parse(parts[3], CultureInfo.InvariantCulture);
                Assert.True(Math.Abs(novelty - consumerNovelty) <= 1e-4, $"{expected[i].ImagePath} novelty: {novelty} vs {consumerNovelty}");
                Assert.Equal(expected[i].Unknown, bool.Parse(parts[4]));
            }
        }
    }
}
