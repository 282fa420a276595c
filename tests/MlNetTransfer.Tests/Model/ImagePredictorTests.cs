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

    // A file that cannot be read is an unusable image to both predictors, named with the reason; a null is the caller's bug.
    [Fact]
    public void AFileThatCannotBeReadIsNamedAlikeByBothPredictors()
    {
        using var dir = new MlNetTransfer.Tests.Support.TempDir();
        using var predictor = new ImagePredictor(run.Report.ModelPath);
        using var model = TrainedModel.Load(run.Report.ModelPath);
        foreach (var path in new[] { dir.Combine("missing.jpg"), dir.Path })
        {
            Assert.StartsWith($"{path}: cannot read file", Assert.Throws<InvalidDataException>(() => predictor.Predict(path)).Message);
            Assert.StartsWith($"{path}: cannot read file", Assert.Throws<InvalidDataException>(() => predictor.Explain(path)).Message);
            Assert.StartsWith($"{path}: cannot read file", Assert.Throws<InvalidDataException>(() => model.Predict(path)).Message);
        }
        Assert.Throws<ArgumentNullException>(() => predictor.Predict((Stream)null!));
        Assert.Throws<ArgumentNullException>(() => new ImagePredictor(null!));
    }

    // Used after Dispose, each throws ObjectDisposedException (ONNX Runtime's released session took the process down).
    [Fact]
    public void UseAfterDisposeThrowsInsteadOfCrashing()
    {
        byte[] image = File.ReadAllBytes(run.Report.ValidationPredictions[0].ImagePath);
        var predictor = new ImagePredictor(run.Report.ModelPath);
        var model = TrainedModel.Load(run.Report.ModelPath);
        predictor.Dispose();
        model.Dispose();
        predictor.Dispose(); // twice is fine

        Assert.Throws<ObjectDisposedException>(() => predictor.Predict(image));
        Assert.Throws<ObjectDisposedException>(() => predictor.Explain(image));
        Assert.Throws<ObjectDisposedException>(() => model.Predict(run.Report.ValidationPredictions[0].ImagePath));
    }

    // Disposed while four threads predict (an app shutting down under load): each call answers or throws
    // ObjectDisposedException; none takes the process down.
    [Fact]
    public void DisposeWaitsForTheCallsUnderWay()
    {
        byte[] image = File.ReadAllBytes(run.Report.ValidationPredictions[0].ImagePath);
        var predictor = new ImagePredictor(run.Report.ModelPath);
        int answered = 0, refused = 0;
        using var started = new CountdownEvent(4);
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            started.Signal();
            while (true)
            {
                try { predictor.Predict(image); Interlocked.Increment(ref answered); }
                catch (ObjectDisposedException) { Interlocked.Increment(ref refused); return; }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        started.Wait();
        Thread.Sleep(300);

        predictor.Dispose();

        Assert.All(threads, t => Assert.True(t.Join(TimeSpan.FromSeconds(30))));
        Assert.Equal(4, refused);
        Assert.True(answered > 0);
    }
}
