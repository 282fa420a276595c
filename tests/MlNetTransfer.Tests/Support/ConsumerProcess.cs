using System.Globalization;

namespace MlNetTransfer.Tests.Support;

/// <summary>Runs samples/ModelConsumer (an app with the ML.NET packages only) in its own process on a model.zip.</summary>
public static class ConsumerProcess
{
    /// <summary>samples/ModelConsumer, on the ML.NET this repository uses.</summary>
    public static string Current => Path.Combine(RepoPaths.Root, "samples", "ModelConsumer");

    /// <summary>The same program built against ML.NET 5.0.1 (tests/MlNet5Consumer): an app that has not upgraded.</summary>
    public static string OnMlNet5 => Path.Combine(RepoPaths.Root, "tests", "MlNet5Consumer");

    /// <summary>
    /// Predicts <paramref name="expected"/>'s images with the consumer and asserts the same labels and every
    /// probability within 1e-4 of the trainer's.
    /// </summary>
    /// <param name="consumer"><see cref="Current"/> (the default) or <see cref="OnMlNet5"/>.</param>
    /// <param name="mlNetVersion">When given, the ML.NET version the consumer must report having run on.</param>
    /// <param name="tolerance">The largest difference allowed in any probability.</param>
    public static void AssertReproduces(string modelPath, IReadOnlyList<MlNetTransfer.Model.Prediction> expected, string? consumer = null, string? mlNetVersion = null, double tolerance = 1e-4)
    {
        var result = ProcessRunner.Run("dotnet", ["run", "--project", consumer ?? Current, "--", modelPath, .. expected.Select(p => p.ImagePath)]);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        if (mlNetVersion is not null) Assert.Contains($"Microsoft.ML {mlNetVersion}", result.Output);

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
                Assert.True(Math.Abs(expected[i].Scores[k] - scores[k]) <= tolerance, $"{expected[i].ImagePath} class {k}: {expected[i].Scores[k]} vs {scores[k]}");
        }
    }
}
