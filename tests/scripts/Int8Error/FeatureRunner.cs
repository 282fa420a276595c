using Microsoft.ML.OnnxRuntime;
using MlNetTransfer.Backbones;

/// <summary>Runs a feature graph on decoded images, in batches of 16 on every core.</summary>
internal sealed class FeatureRunner(int side, IReadOnlyList<float[]> images)
{
    private const int Batch = 16;

    public List<float[]> Features(byte[] model, bool optimized)
    {
        using var session = Session(model, optimized);
        var features = new List<float[]>();
        foreach (var chunk in images.Chunk(Batch))
        {
            var values = Run(session, chunk);
            int size = values.Length / chunk.Length;
            for (int i = 0; i < chunk.Length; i++) features.Add(values.AsSpan(i * size, size).ToArray());
        }
        return features;
    }

    public double MillisecondsPerImage(byte[] model, int runs = 6)
    {
        using var session = Session(model, optimized: true);
        var batch = Enumerable.Range(0, Batch).Select(i => images[i % images.Count]).ToArray();
        Run(session, batch); // warm-up
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int r = 0; r < runs; r++) Run(session, batch);
        return watch.Elapsed.TotalMilliseconds / (runs * Batch);
    }

    private static InferenceSession Session(byte[] model, bool optimized)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = optimized ? GraphOptimizationLevel.ORT_ENABLE_ALL : GraphOptimizationLevel.ORT_DISABLE_ALL,
            IntraOpNumThreads = Environment.ProcessorCount,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, // the float variants leave unused scales behind
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0"); // as extraction runs the network
        return new InferenceSession(model, options);
    }

    private float[] Run(InferenceSession session, float[][] batch)
    {
        int length = batch[0].Length;
        var values = new float[batch.Length * length];
        for (int i = 0; i < batch.Length; i++) batch[i].CopyTo(values, i * length);
        using var input = OrtValue.CreateTensorValueFromMemory(values, [batch.Length, 3, side, side]);
        using var run = new RunOptions();
        using var outputs = session.Run(run, [FeatureGraph.PixelsInput], [input], [FeatureGraph.FeaturesOutput]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
