using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using MlNetTransfer.Backbones;
using MlNetTransfer.Backbones.Int8;
using MlNetTransfer.Data;
using Onnx;

namespace MlNetTransfer.Features;

/// <summary>
/// Measures what an int8 backbone is quantized with: the float network (in the form the int8 one is made from) runs on
/// calibration images; each quantized activation's range is taken with its rarest extremes left out (percentile
/// 99.999), and each convolution input's channel means are kept for bias correction. Chosen by measurement over min/max and percentiles 99.9 and 99.99: the features' cosine to
/// fp32 on held-out images was highest with it on ants/bees, digits and camera photos (docs/int8.md).
/// </summary>
internal static class Int8Calibrator
{
    /// <summary>The share of each activation's values, at either end, that its range leaves out.</summary>
    public const double OutlierFraction = 1e-5;
    public const string Method = "percentile-99.999";

    /// <summary>Calibrates <paramref name="backbone"/> on <paramref name="images"/> (encoded; unusable ones are passed over).</summary>
    /// <param name="prepared">Receives a copy of the float feature graph in the form the int8 one is made from, so that
    /// the caller can quantize it without building it again.</param>
    public static Int8Calibration Calibrate(BackboneDescription backbone, IReadOnlyList<byte[]> images, bool reducedRange, int batchSize = 8,
        CancellationToken cancel = default, Action<ModelProto>? prepared = null)
    {
        var editor = FeatureGraph.Compose(backbone with { Int8 = null }, batched: true, featuresAreOutput: true, prepareForInt8: true);
        // Cloned before the calibration outputs are added (the Features output is there already; it is no quantized
        // tensor, so quantizing this copy gives FeatureGraph.Build's bytes: a test compares them). Clone shares the
        // weights' immutable bytes.
        prepared?.Invoke(editor.Model.Clone());
        var tensors = Int8Graph.QuantizedTensors(editor.Graph);
        foreach (var t in tensors)
            editor.Graph.Output.Add(new ValueInfoProto { Name = t, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = Environment.ProcessorCount };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        using var session = new InferenceSession(editor.ToBytes(), options);

        var decoder = new ImagePixels(backbone);
        int side = backbone.DecodedSize, length = decoder.Length, count = 0;
        var ranges = new Dictionary<string, ActivationRange>();
        // Every convolution's input is a quantized tensor (the pixels, or a ReLU's, addition's or max-pool's output).
        var convolutionInputs = editor.Graph.Node.Where(n => n.OpType == "Conv").Select(n => n.Input[0]).ToHashSet(StringComparer.Ordinal);
        var channelSums = new Dictionary<string, double[]>();
        var batch = new float[batchSize * length];
        int inBatch = 0;
        void Run()
        {
            if (inBatch == 0) return;
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch.AsMemory(0, inBatch * length), [inBatch, 3, side, side]);
            using var run = new RunOptions();
            using var outputs = session.Run(run, [FeatureGraph.PixelsInput], [input], tensors);
            for (int i = 0; i < tensors.Count; i++)
                if (!ranges.ContainsKey(tensors[i]))
                    ranges[tensors[i]] = new ActivationRange(outputs[i].GetTensorTypeAndShape().ElementCount / inBatch * images.Count, OutlierFraction);
            for (int i = 0; i < tensors.Count; i++)
                if (convolutionInputs.Contains(tensors[i]))
                    AddChannelSums(channelSums, tensors[i], outputs[i].GetTensorDataAsSpan<float>(), outputs[i].GetTensorTypeAndShape().Shape);
            Parallel.For(0, tensors.Count, i => ranges[tensors[i]].Add(outputs[i].GetTensorDataAsSpan<float>()));
            count += inBatch;
            inBatch = 0;
        }
        // Each batch's images are decoded on every core, then the network runs on them; unusable images are passed over.
        foreach (var chunk in images.Chunk(batchSize))
        {
            cancel.ThrowIfCancellationRequested();
            var usable = new bool[chunk.Length];
            Parallel.For(0, chunk.Length, i =>
            {
                if (ImageCheck.Problem(chunk[i]) is not null) return; // as extraction skips it (size cap included)
                try { decoder.Decode(chunk[i], batch.AsSpan(i * length, length)); usable[i] = true; }
                catch (Exception e) when (e is not OutOfMemoryException) { }
            });
            for (int i = 0; i < chunk.Length; i++)
                if (usable[i])
                {
                    if (inBatch != i) Array.Copy(batch, i * length, batch, inBatch * length, length);
                    inBatch++;
                }
            Run();
        }
        if (count == 0) throw new DatasetException("No usable calibration image: int8 needs a few of the training images.");
        return new Int8Calibration
        {
            Ranges = ranges.ToDictionary(r => r.Key, r => r.Value.Range), Method = Method, Images = count, ReducedRange = reducedRange,
            ChannelMeans = channelSums.ToDictionary(s => s.Key, s => s.Value.Select(v => (float)(v / count)).ToArray()),
        };
    }

    // Adds each image's per-channel spatial mean (N × C × H × W) to sums, so that a mean over images comes out at the end.
    private static void AddChannelSums(Dictionary<string, double[]> sums, string tensor, ReadOnlySpan<float> values, long[] shape)
    {
        int images = (int)shape[0], channels = (int)shape[1], plane = (int)(shape[2] * shape[3]);
        if (!sums.TryGetValue(tensor, out var channelSums)) sums[tensor] = channelSums = new double[channels];
        for (int n = 0; n < images; n++)
            for (int c = 0; c < channels; c++)
                channelSums[c] += (double)TensorPrimitives.Sum(values.Slice((n * channels + c) * plane, plane)) / plane;
    }
}
