using System.Globalization;

namespace MlNetTransfer.Tests.Support;

/// <summary>Runs samples/ModelConsumer (an app with the ML.NET packages only) in its own process on a model.zip.</summary>
public static class ConsumerProcess
{
    /// <summary>samples/ModelConsumer, on the ML.NET this repository uses.</summary>
    public static string Current => Path.Combine(RepoPaths.Root, "samples", "ModelConsumer");

    /// <summary>The same program built against ML.NET 5.0.1 (tests/MlNet5Consumer): an app that has not upgraded.</summary>
    public static string OnMlNet5 => Path.Combine(RepoPaths.Root, "tests", "MlNet5Consumer");

    /// <summary>One line of the consumer's output: what ML.NET's PredictionEngine gave for one image.</summary>
    public sealed record Answer(string Path, string PredictedLabel, float[] Scores, float? Novelty, bool? Unknown);

    /// <summary>The consumer's answers for <paramref name="images"/>, in their order.</summary>
    /// <param name="consumer"><see cref="Current"/> (the default) or <see cref="OnMlNet5"/>.</param>
    /// <param name="mlNetVersion">When given, the ML.NET version the consumer must report having run on.</param>
    public static IReadOnlyList<Answer> Predict(string modelPath, IReadOnlyList<string> images, string? consumer = null, string? mlNetVersion = null)
    {
        var result = ProcessRunner.Run("dotnet", ["run", "--project", consumer ?? Current, "--", modelPath, .. images]);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        if (mlNetVersion is not null) Assert.Contains($"Microsoft.ML {mlNetVersion}", result.Output);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains('\t')).ToList();
        Assert.Equal(images.Count, lines.Count);
        return lines.Select(line =>
        {
            var parts = line.TrimEnd('\r').Split('\t');
            Assert.True(parts.Length is 3 or 5, line);
            var scores = parts[2].Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            return parts.Length == 5
                ? new Answer(parts[0], parts[1], scores, float.Parse(parts[3], CultureInfo.InvariantCulture), bool.Parse(parts[4]))
                : new Answer(parts[0], parts[1], scores, null, null);
        }).ToList();
    }

    /// <summary>
    /// Predicts <paramref name="expected"/>'s images with the consumer and asserts the same labels and every
    /// probability within 1e-4 of the trainer's, and the same novelty (within 1e-4) and unknown flag (both absent
    /// for a model without them).
    /// </summary>
    /// <param name="consumer"><see cref="Current"/> (the default) or <see cref="OnMlNet5"/>.</param>
    /// <param name="mlNetVersion">When given, the ML.NET version the consumer must report having run on.</param>
    /// <param name="tolerance">The largest difference allowed in any probability.</param>
    public static void AssertReproduces(string modelPath, IReadOnlyList<MlNetTransfer.Model.Prediction> expected, string? consumer = null, string? mlNetVersion = null, double tolerance = 1e-4)
    {
        var answers = Predict(modelPath, expected.Select(p => p.ImagePath).ToList(), consumer, mlNetVersion);
        for (int i = 0; i < expected.Count; i++)
        {
            var answer = answers[i];
            Assert.Equal(expected[i].ImagePath, answer.Path);
            Assert.Equal(expected[i].PredictedLabel, answer.PredictedLabel);
            Assert.Equal(expected[i].Scores.Count, answer.Scores.Length);
            for (int k = 0; k < answer.Scores.Length; k++)
                Assert.True(Math.Abs(expected[i].Scores[k] - answer.Scores[k]) <= tolerance, $"{expected[i].ImagePath} class {k}: {expected[i].Scores[k]} vs {answer.Scores[k]}");
            Assert.Equal(expected[i].Novelty is null, answer.Novelty is null);
            if (expected[i].Novelty is { } novelty)
                Assert.True(Math.Abs(novelty - answer.Novelty!.Value) <= 1e-4, $"{expected[i].ImagePath} novelty: {novelty} vs {answer.Novelty}");
            Assert.Equal(expected[i].Unknown, answer.Unknown);
        }
    }
}
