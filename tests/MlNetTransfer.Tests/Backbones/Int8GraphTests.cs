using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using MlNetTransfer.Backbones;
using MlNetTransfer.Backbones.Int8;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Backbones;

/// <summary>The int8 backbone built from the embedded ResNet18: what ONNX Runtime runs, and how close it stays to fp32.</summary>
public class Int8GraphTests
{
    private static readonly BackboneDescription Fp32 = BackboneRegistry.Get();

    // Every convolution must run as an integer kernel: ONNX Runtime's optimized graph, saved, shows which kernels run.
    // A QDQ pattern it cannot fuse stays as DequantizeLinear → Conv (float) and would leave a float Conv here.
    [Fact]
    [Trait("Category", "Slow")]
    public void OnnxRuntimeRunsEveryConvolutionAsQLinearConv()
    {
        using var dir = new TempDir();
        var images = ShapeImages(dir, 6);
        var int8 = Fp32 with { Int8 = Int8Calibrator.Calibrate(Fp32, images, reducedRange: false) };
        int convolutions = Onnx.ModelProto.Parser.ParseFrom(FeatureGraph.Build(Fp32)).Graph.Node.Count(n => n.OpType == "Conv");

        string optimized = dir.Combine("optimized.onnx");
        using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimized })
        using (new InferenceSession(FeatureGraph.Build(int8), options)) { }
        var kernels = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(22, convolutions); // as the CNTK export of ResNet18 has them
        Assert.Equal(convolutions, kernels.GetValueOrDefault("QLinearConv"));
        Assert.False(kernels.ContainsKey("Conv"), "a float convolution is left: " + string.Join(", ", kernels.Select(k => $"{k.Key} {k.Value}")));
        Assert.True(kernels.GetValueOrDefault("QLinearAdd") >= 8, "the residual additions run on uint8");
    }

    // Folding BatchNormalization into the convolutions changes nothing but rounding.
    [Fact]
    public void FoldingBatchNormalizationKeepsTheFloatFeatures()
    {
        var prepared = FeatureGraph.Compose(Fp32, batched: true, featuresAreOutput: true, prepareForInt8: true).ToBytes();
        Assert.DoesNotContain(Onnx.ModelProto.Parser.ParseFrom(prepared).Graph.Node, n => n.OpType == "BatchNormalization");

        var pixels = RandomPixels(Fp32, seed: 3);
        var reference = Run(FeatureGraph.Build(Fp32), pixels);
        var folded = Run(prepared, pixels);
        float largest = TensorPrimitives.MaxMagnitude(reference);
        for (int i = 0; i < reference.Length; i++)
            Assert.True(Math.Abs(reference[i] - folded[i]) <= 1e-4f * largest, $"feature {i}: {reference[i]} vs {folded[i]}");
    }

    // Calibrated on some images, the int8 network's features point where fp32's do on others.
    [Fact]
    [Trait("Category", "Slow")]
    public void Int8FeaturesStayCloseToFp32OnImagesNotCalibratedOn()
    {
        using var dir = new TempDir();
        var images = ShapeImages(dir, 12);
        var int8 = Fp32 with { Int8 = Int8Calibrator.Calibrate(Fp32, images.Take(24).ToList(), reducedRange: false) };
        using var fp32Network = new FeatureNetwork(Fp32, 1);
        using var int8Network = new FeatureNetwork(int8, 1);
        var decoder = new ImagePixels(Fp32);

        var cosines = images.Skip(24).Select(image =>
        {
            var px = new float[decoder.Length];
            decoder.Decode(image, px);
            float[] a = new float[Fp32.FeatureSize], b = new float[Fp32.FeatureSize];
            fp32Network.Run(px, 1, a);
            int8Network.Run(px, 1, b);
            return (double)TensorPrimitives.CosineSimilarity(a, b);
        }).ToList();

        Assert.True(cosines.Average() >= 0.99, $"mean cosine {cosines.Average():F5}");
        Assert.True(cosines.Min() >= 0.97, $"min cosine {cosines.Min():F5}");
        Assert.NotEqual(Fp32.PreprocessingSignature, int8.PreprocessingSignature); // int8 features never share fp32's cache entries
    }

    // Without VNNI, uint8 × int8 products summed in pairs can saturate int16: weights keep 7 bits there (symmetric, ±63).
    [Fact]
    [Trait("Category", "Slow")]
    public void ReducedRangeKeepsWeightsInSevenBits()
    {
        using var dir = new TempDir();
        var calibration = Int8Calibrator.Calibrate(Fp32, ShapeImages(dir, 2), reducedRange: true);
        var graph = Onnx.ModelProto.Parser.ParseFrom(FeatureGraph.Build(Fp32 with { Int8 = calibration })).Graph;

        var weights = graph.Initializer.Where(t => t.DataType == (int)Onnx.TensorProto.Types.DataType.Int8 && t.Dims.Count == 4).ToList();
        Assert.Equal(22, weights.Count);
        foreach (var w in weights)
        {
            var values = w.RawData.ToByteArray().Select(b => (int)(sbyte)b).ToArray();
            int perChannel = values.Length / (int)w.Dims[0];
            for (int channel = 0; channel < w.Dims[0]; channel++) // each channel's largest weight sits on the 7-bit limit
                Assert.Equal(63, values.Skip(channel * perChannel).Take(perChannel).Max(Math.Abs));
        }
    }

    // The quantized weights are, byte for byte, the scalar rule: per output channel, scale = max |w| / 127 and
    // q = round-to-even(w / scale) clamped to ±127, on the folded float weights (the vectorised code must not drift).
    [Fact]
    [Trait("Category", "Slow")]
    public void WeightsAreTheScalarRoundingOfTheFoldedWeights()
    {
        using var dir = new TempDir();
        var calibration = Int8Calibrator.Calibrate(Fp32, ShapeImages(dir, 2), reducedRange: false);
        var folded = FeatureGraph.Compose(Fp32, batched: true, featuresAreOutput: true, prepareForInt8: true).Graph.Initializer.ToDictionary(t => t.Name);
        var graph = Onnx.ModelProto.Parser.ParseFrom(FeatureGraph.Build(Fp32 with { Int8 = calibration })).Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);

        var quantized = graph.Initializer.Where(t => t.DataType == (int)Onnx.TensorProto.Types.DataType.Int8 && t.Dims.Count == 4).ToList();
        Assert.Equal(22, quantized.Count);
        foreach (var q in quantized)
        {
            string name = q.Name[..^"_int8".Length];
            var w = Tensors.Floats(folded[name]);
            var scales = Tensors.Floats(initializers[name + "_scales"]);
            var actual = q.RawData.ToByteArray();
            int perChannel = w.Length / scales.Length;
            for (int o = 0; o < scales.Length; o++)
            {
                float max = 0;
                for (int i = 0; i < perChannel; i++) max = Math.Max(max, Math.Abs(w[o * perChannel + i]));
                Assert.Equal(max > 0 ? max / 127 : 1f, scales[o]);
                for (int i = 0; i < perChannel; i++)
                    Assert.Equal((sbyte)Math.Clamp(Math.Round(w[o * perChannel + i] / scales[o]), -127, 127), (sbyte)actual[o * perChannel + i]);
            }
        }
    }

    // Bias correction: each output channel's mean over the calibration images, quantized weights · input channel means
    // + bias, is the float convolution's, to within the int32 bias's own rounding (without the correction it is off by
    // the weights' rounding, (q · scale - w) · mean, many bias steps).
    [Fact]
    [Trait("Category", "Slow")]
    public void TheBiasTakesBackTheMeanShiftOfTheWeightsRounding()
    {
        using var dir = new TempDir();
        var calibration = Int8Calibrator.Calibrate(Fp32, ShapeImages(dir, 2), reducedRange: false);
        var prepared = FeatureGraph.Compose(Fp32, batched: true, featuresAreOutput: true, prepareForInt8: true).Graph;
        var folded = prepared.Initializer.ToDictionary(t => t.Name);
        var convolutions = prepared.Node.Where(n => n.OpType == "Conv").ToList();
        Assert.Equal(convolutions.Select(c => c.Input[0]).ToHashSet(), calibration.ChannelMeans!.Keys.ToHashSet());
        var initializers = Onnx.ModelProto.Parser.ParseFrom(FeatureGraph.Build(Fp32 with { Int8 = calibration })).Graph.Initializer.ToDictionary(t => t.Name);

        double largestShift = 0;
        foreach (var conv in convolutions)
        {
            float[] w = Tensors.Floats(folded[conv.Input[1]]), bias = Tensors.Floats(folded[conv.Input[2]]), mean = calibration.ChannelMeans[conv.Input[0]];
            var q = initializers[conv.Input[1] + "_int8"].RawData.ToByteArray();
            var scales = Tensors.Floats(initializers[conv.Input[1] + "_scales"]);
            var quantizedBias = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(initializers[conv.Input[2] + "_int32"].RawData.Span).ToArray();
            var biasScales = Tensors.Floats(initializers[conv.Input[2] + "_scales"]);
            int perOutput = w.Length / scales.Length, perChannel = perOutput / mean.Length;
            for (int o = 0; o < scales.Length; o++)
            {
                double floatMean = bias[o], int8Mean = quantizedBias[o] * (double)biasScales[o], shift = 0;
                for (int i = 0; i < perOutput; i++)
                {
                    double m = mean[i / perChannel], dequantized = (sbyte)q[o * perOutput + i] * (double)scales[o];
                    floatMean += w[o * perOutput + i] * m;
                    int8Mean += dequantized * m;
                    shift += (dequantized - w[o * perOutput + i]) * m;
                }
                Assert.True(Math.Abs(int8Mean - floatMean) <= 0.5 * biasScales[o] + 1e-5 * (1 + Math.Abs(floatMean)),
                    $"{conv.Input[1]} channel {o}: {int8Mean} against {floatMean} (bias step {biasScales[o]})");
                largestShift = Math.Max(largestShift, Math.Abs(shift) / biasScales[o]);
            }
        }
        Assert.True(largestShift > 10, $"the weights' rounding moved no channel's mean by more than {largestShift:F1} bias steps");

        // A calibration made before (no means: models trained then carry such) builds the uncorrected graph it was trained with.
        var before = Onnx.ModelProto.Parser.ParseFrom(FeatureGraph.Build(Fp32 with { Int8 = calibration with { ChannelMeans = null } })).Graph.Initializer.ToDictionary(t => t.Name);
        foreach (var conv in convolutions)
        {
            var bias = Tensors.Floats(folded[conv.Input[2]]);
            var steps = Tensors.Floats(before[conv.Input[2] + "_scales"]);
            var stored = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(before[conv.Input[2] + "_int32"].RawData.Span).ToArray();
            Assert.Equal(bias.Select((b, o) => (int)Math.Round(b / steps[o])), stored);
        }
    }

    // The int8 graph is built once per calibration: with the calibration, from the float graph it prepared, and kept in
    // the int8 backbone's cache folder, where the network finds it; it is the graph a fresh build makes, byte for byte.
    [Fact]
    [Trait("Category", "Slow")]
    public void TheInt8GraphIsMadeWithItsCalibrationAndKeptInTheCache()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("images"), perClass: 2, size: 96);
        var images = Directory.GetFiles(dir.Combine("images"), "*.jpg", SearchOption.AllDirectories).Select(p => new LabelledImage(p, 0)).ToList();
        FeatureCache CacheFor(BackboneDescription b) => FeatureCache.For(b, dir.Combine("cache"));

        var quantized = Int8Backbones.Quantize(Fp32, images, CacheFor);
        string folder = CacheFor(quantized).BackboneFolder;
        Assert.True(File.Exists(Path.Combine(folder, Int8Backbones.GraphFileName(quantized))));
        Assert.Equal(FeatureGraph.Build(quantized), Int8Backbones.FeatureGraphOf(quantized, folder));
        Assert.NotEqual(CacheFor(Fp32).BackboneFolder, folder); // keyed by the calibration, beside the float features
    }

    // The range leaves out exactly the rarest values at either end (found with two bounded heaps, checked against a sort).
    [Fact]
    public void ActivationRangeIsTheExactQuantileOfEverythingSeen()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 200_000).Select(_ => (float)(random.NextDouble() * 10 - 3)).ToArray();
        var range = new ActivationRange(values.Length, 1e-4); // leaves out 20 at each end
        foreach (var chunk in values.Chunk(7_000)) range.Add(chunk);

        var sorted = values.Order().ToArray();
        Assert.Equal(sorted[20], range.Range[0]);
        Assert.Equal(sorted[^21], range.Range[1]);
        var positive = new ActivationRange(10, 0.1);
        positive.Add([1f, 2f, 3f]);
        Assert.Equal(0f, positive.Range[0]); // widened to include zero
    }

    // Calibration images are spread over the whole (path-ordered) training set, so every class takes part.
    [Fact]
    public void CalibrationImagesAreSpreadOverTheWholeSet()
    {
        var items = Enumerable.Range(0, 245).ToList();
        var chosen = MlNetTransfer.Data.LabelledImage.Spread(items, 128).ToList();
        Assert.Equal(128, chosen.Count);
        Assert.Equal(128, chosen.Distinct().Count());
        Assert.Equal(0, chosen[0]);
        Assert.True(chosen[^1] >= 243, $"last chosen {chosen[^1]}");
        Assert.Equal(items.Take(50), MlNetTransfer.Data.LabelledImage.Spread(items.Take(50).ToList(), 128));
    }

    // int8 is for the embedded backbone on the CPU: anything else is refused before any image is read.
    [Fact]
    public void Int8ForACustomBackboneOrOnAGpuIsAClearError()
    {
        using var dir = new TempDir();
        TinyClassifier.Write(dir.Combine("tiny.onnx"));
        var custom = CustomBackbone.Describe(dir.Combine("tiny.onnx"));
        Assert.Contains("embedded backbones", Assert.Throws<MlNetTransferException>(() => Int8Backbones.EnsureSupported(custom, ComputeDevice.Cpu)).Message);
        Assert.Contains("Cpu device", Assert.Throws<MlNetTransferException>(() => Int8Backbones.EnsureSupported(Fp32, ComputeDevice.Cuda)).Message);

        TestImages.ShapeDataset(dir.Combine("data"), perClass: 3);
        var error = new StringWriter();
        int code = MlNetTransfer.Cli.CliApp.Run(["train", "--data", dir.Combine("data"), "--backbone", dir.Combine("tiny.onnx"), "--precision", "int8",
            "--output", dir.Combine("run"), "--cache", dir.Combine("cache")], new StringWriter(), error);
        Assert.NotEqual(0, code);
        Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.Contains("Precision Int8 is available for the embedded backbones", error.ToString());
        Assert.Contains("(command line: --precision)", error.ToString());
        Assert.False(Directory.Exists(dir.Combine("cache")), "nothing was extracted");
    }

    private static List<byte[]> ShapeImages(TempDir dir, int perClass)
    {
        TestImages.ShapeDataset(dir.Combine("images"), perClass, size: 96);
        return Directory.GetFiles(dir.Combine("images"), "*.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
    }

    private static float[] RandomPixels(BackboneDescription backbone, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 3 * backbone.DecodedSize * backbone.DecodedSize).Select(_ => (float)random.Next(256)).ToArray();
    }

    private static float[] Run(byte[] model, float[] pixels)
    {
        using var session = new InferenceSession(model);
        var input = session.InputMetadata.Single();
        using var tensor = OrtValue.CreateTensorValueFromMemory(pixels, input.Value.Dimensions.Select(d => (long)Math.Max(d, 1)).ToArray());
        using var outputs = session.Run(new RunOptions(), [input.Key], [tensor], [session.OutputMetadata.Keys.First()]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
