using MlNetTransfer.Model;

namespace MlNetTransfer.Tests.Model;

[Trait("Category", "Slow")]
[Collection(TrainedRunCollection.Name)]
public class ImagePredictorTests(TrainedRunFixture run)
{
    // 8 threads × 60 predictions through one shared predictor give exactly what one thread gives, and agree with the .zip.
    [Fact]
    public void EightThreadsGiveTheSameResultsAsOne()
    {
        var paths = run.Report.ValidationPredictions.Select(p => p.ImagePath).ToList();
        using var predictor = new ImagePredictor(run.Report.ModelPath);
        var single = paths.ToDictionary(p => p, p => predictor.Predict(p));

        var mismatches = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            for (int i = 0; i < 60; i++)
            {
                var path = paths[(t * 31 + i) % paths.Count];
                var p = i % 2 == 0 ? predictor.Predict(File.ReadAllBytes(path), path) : predictor.Predict(path);
                if (p.PredictedLabel != single[path].PredictedLabel || !p.Scores.SequenceEqual(single[path].Scores))
                    Interlocked.Increment(ref mismatches);
            }
        });

        Assert.Equal(0, mismatches);
        foreach (var expected in run.Report.ValidationPredictions)
            for (int k = 0; k < expected.Scores.Count; k++)
                Assert.True(Math.Abs(expected.Scores[k] - single[expected.ImagePath].Scores[k]) <= 1e-4);
    }

    [Fact]
    public void BadBytesGetAClearError()
    {
        using var predictor = new ImagePredictor(run.Report.ModelPath);
        var e = Assert.Throws<InvalidDataException>(() => predictor.Predict("hello"u8.ToArray(), "upload.jpg"));
        Assert.Contains("upload.jpg", e.Message);
    }
}
