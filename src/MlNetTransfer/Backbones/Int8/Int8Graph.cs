using System.Numerics.Tensors;
using Google.Protobuf;
using Onnx;

namespace MlNetTransfer.Backbones.Int8;

/// <summary>
/// Static post-training quantization of a feature graph, written to ONNX Runtime's QDQ format: each BatchNormalization
/// folded into its convolution; weights as int8 per output channel (symmetric); biases as int32, corrected for the
/// mean shift of the weights' rounding; each activation that a convolution, an addition or the max-pool reads or
/// writes as uint8 (QuantizeLinear → DequantizeLinear) with the
/// calibrated range. ONNX Runtime fuses the patterns into integer kernels (QLinearConv, QLinearAdd, uint8 MaxPool;
/// a test checks every convolution). Needs opset 13 (per-axis DequantizeLinear): <see cref="Prepare"/> brings the
/// graph there.
/// </summary>
internal static class Int8Graph
{
    public const long Opset = 13;

    /// <summary>
    /// The quantization scheme's version: part of the calibration's signature (and so of the feature cache key and the
    /// cached graph parts). Raise it with any change to what is quantized or how, so that no old int8 feature is served.
    /// </summary>
    public const int Scheme = 2; // 2: bias correction

    /// <summary>The scheme a calibration without channel means builds (no bias correction): models trained before keep it.</summary>
    public const int SchemeWithoutMeans = 1;

    /// <summary>Opset-13 forms of the older nodes (Split's sizes as an input, no BatchNormalization 'spatial'), then the BatchNormalization folding.</summary>
    public static void Prepare(GraphProto g)
    {
        foreach (var node in g.Node.ToList())
        {
            if (node.OpType == "Split" && node.Attribute.FirstOrDefault(a => a.Name == "split") is { } split)
            {
                node.Attribute.Remove(split);
                var sizes = new TensorProto { Name = node.Name + "_split_sizes", DataType = (int)TensorProto.Types.DataType.Int64 };
                sizes.Dims.Add(split.Ints.Count);
                sizes.Int64Data.AddRange(split.Ints);
                g.Initializer.Add(sizes);
                node.Input.Add(sizes.Name);
            }
            if (node.OpType == "BatchNormalization" && node.Attribute.FirstOrDefault(a => a.Name == "spatial") is { } spatial)
                node.Attribute.Remove(spatial);
        }
        FoldBatchNormalization(g);
    }

    // Conv → BatchNormalization becomes one Conv: W' = W·k, b' = (b - mean)·k + beta, k = gamma / sqrt(var + eps), per output channel.
    private static void FoldBatchNormalization(GraphProto g)
    {
        var initializers = g.Initializer.ToDictionary(i => i.Name);
        foreach (var bn in g.Node.Where(n => n.OpType == "BatchNormalization").ToList())
        {
            var conv = g.Node.FirstOrDefault(n => n.OpType == "Conv" && n.Output[0] == bn.Input[0]);
            if (conv is null || g.Node.Count(n => n.Input.Contains(bn.Input[0])) != 1 || !initializers.ContainsKey(conv.Input[1])) continue;
            var weight = initializers[conv.Input[1]];
            var w = Tensors.Floats(weight);
            float[] gamma = Tensors.Floats(initializers[bn.Input[1]]), beta = Tensors.Floats(initializers[bn.Input[2]]),
                mean = Tensors.Floats(initializers[bn.Input[3]]), variance = Tensors.Floats(initializers[bn.Input[4]]);
            float epsilon = bn.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
            int outputs = gamma.Length, perOutput = w.Length / outputs;
            var bias = conv.Input.Count > 2 ? Tensors.Floats(initializers[conv.Input[2]]) : new float[outputs];
            for (int o = 0; o < outputs; o++)
            {
                double k = gamma[o] / Math.Sqrt(variance[o] + epsilon);
                for (int i = 0; i < perOutput; i++) w[o * perOutput + i] = (float)(w[o * perOutput + i] * k);
                bias[o] = (float)((bias[o] - mean[o]) * k + beta[o]);
            }
            g.Initializer.Remove(weight);
            g.Initializer.Add(Tensors.Float(conv.Input[1], w, weight.Dims));
            string biasName = conv.Output[0] + "_folded_bias";
            g.Initializer.Add(Tensors.Float(biasName, bias, [outputs]));
            if (conv.Input.Count > 2)
            {
                string oldBias = conv.Input[2];
                conv.Input[2] = biasName;
                if (!g.Node.Any(n => n.Input.Contains(oldBias)) && initializers.Remove(oldBias, out var unusedBias)) g.Initializer.Remove(unusedBias);
            }
            else conv.Input.Add(biasName);
            conv.Output[0] = bn.Output[0];
            g.Node.Remove(bn);
            foreach (var parameter in bn.Input.Skip(1).Where(p => !g.Node.Any(n => n.Input.Contains(p))))
                if (initializers.Remove(parameter, out var unused)) g.Initializer.Remove(unused);
        }
    }

    /// <summary>
    /// The activations quantized: the first convolution's input, and the output of every convolution, addition and
    /// max-pool (after the ReLU that follows it, when one does, so that ONNX Runtime can drop that ReLU).
    /// </summary>
    public static IReadOnlyList<string> QuantizedTensors(GraphProto g)
    {
        var consumers = g.Node.SelectMany(n => n.Input.Select(i => (Input: i, Node: n))).ToLookup(p => p.Input, p => p.Node);
        var tensors = new List<string>();
        var firstConv = g.Node.First(n => n.OpType == "Conv");
        tensors.Add(firstConv.Input[0]);
        foreach (var node in g.Node.Where(n => n.OpType is "Conv" or "Add" or "MaxPool"))
        {
            string output = node.Output[0];
            var next = consumers[output].ToList();
            tensors.Add(next is [{ OpType: "Relu" } relu] && node.OpType != "MaxPool" ? relu.Output[0] : output);
        }
        return tensors.Distinct().ToList();
    }

    /// <summary>Rewrites the prepared float graph <paramref name="g"/> into its QDQ int8 form with <paramref name="calibration"/>.</summary>
    public static void Quantize(GraphProto g, Int8Calibration calibration)
    {
        var initializers = g.Initializer.ToDictionary(i => i.Name);
        var quantized = new Dictionary<string, (float Scale, byte ZeroPoint)>();
        foreach (var name in QuantizedTensors(g))
        {
            if (!calibration.Ranges.TryGetValue(name, out var range))
                throw new InvalidDataException($"The int8 calibration has no range for tensor '{name}': it was made for another graph.");
            quantized[name] = UInt8Parameters(range[0], range[1]);
        }
        // A max-pool keeps its input's scale, so that ONNX Runtime runs it on uint8 as it is.
        foreach (var pool in g.Node.Where(n => n.OpType == "MaxPool"))
            if (quantized.TryGetValue(pool.Input[0], out var input)) quantized[pool.Output[0]] = input;

        foreach (var (name, (scale, zeroPoint)) in quantized)
            InsertQdq(g, name, scale, zeroPoint);
        foreach (var conv in g.Node.Where(n => n.OpType == "Conv").ToList())
            QuantizeWeights(g, initializers, conv, quantized[Original(conv.Input[0])].Scale, calibration.ReducedRange,
                calibration.ChannelMeans?.GetValueOrDefault(Original(conv.Input[0])));
    }

    // The tensor a consumer reads before InsertQdq rewired it to "<name>_dq".
    private static string Original(string input) => input.EndsWith("_dq", StringComparison.Ordinal) ? input[..^3] : input;

    private static (float Scale, byte ZeroPoint) UInt8Parameters(float min, float max)
    {
        min = Math.Min(min, 0);
        max = Math.Max(max, 0);
        float scale = max > min ? (max - min) / 255f : 1f;
        return (scale, (byte)Math.Clamp(Math.Round(-min / scale), 0, 255));
    }

    // tensor → QuantizeLinear → DequantizeLinear → every consumer of the tensor.
    private static void InsertQdq(GraphProto g, string tensor, float scale, byte zeroPoint)
    {
        string scaleName = tensor + "_scale", zeroName = tensor + "_zero_point", q = tensor + "_q", dq = tensor + "_dq";
        foreach (var node in g.Node)
            for (int i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == tensor) node.Input[i] = dq;
        foreach (var output in g.Output.Where(o => o.Name == tensor)) output.Name = dq;
        g.Initializer.Add(Tensors.Float(scaleName, [scale], []));
        var zero = new TensorProto { Name = zeroName, DataType = (int)TensorProto.Types.DataType.Uint8, RawData = ByteString.CopyFrom([zeroPoint]) };
        g.Initializer.Add(zero);
        int at = g.Node.IndexOf(g.Node.First(n => n.Output.Contains(tensor))) + 1;
        g.Node.Insert(at, Node("QuantizeLinear", [tensor, scaleName, zeroName], q));
        g.Node.Insert(at + 1, Node("DequantizeLinear", [q, scaleName, zeroName], dq));
    }

    // W → int8 per output channel (symmetric, zero point 0) and bias → int32 at scale x·w, each through a per-axis
    // DequantizeLinear. With the input's channel means, the bias also takes back the mean shift the weights' rounding
    // puts on each output channel (bias correction, Nagel et al. 2019; one mean per input channel, so taps over the
    // padding are corrected as if inside): feature cosine to fp32 0.99078 → 0.99547 on digits, 0.99709 → 0.99736 on
    // camera photos, 0.99880 → 0.99899 on ants/bees (docs/int8.md).
    private static void QuantizeWeights(GraphProto g, Dictionary<string, TensorProto> initializers, NodeProto conv, float inputScale, bool reducedRange, float[]? inputMean)
    {
        var weight = initializers[conv.Input[1]];
        var w = Tensors.Floats(weight);
        int outputs = (int)weight.Dims[0], perOutput = w.Length / outputs, limit = reducedRange ? 63 : 127;
        var scales = new float[outputs];
        var q = new sbyte[w.Length];
        var steps = new float[perOutput];
        // Vectorised, as the int8 graph is built at every session's loading (23-93 ms a run against 78-108 element by
        // element, measured); the same values as Math.Round (to even) of w / scale, clamped (the built graph compared byte for byte).
        for (int o = 0; o < outputs; o++)
        {
            var row = w.AsSpan(o * perOutput, perOutput);
            float max = MathF.Abs(TensorPrimitives.MaxMagnitude(row));
            scales[o] = max > 0 ? max / limit : 1f;
            TensorPrimitives.Divide(row, scales[o], steps);
            TensorPrimitives.Round(steps, steps);
            TensorPrimitives.Clamp(steps, -limit, limit, steps);
            TensorPrimitives.ConvertTruncating<float, sbyte>(steps, q.AsSpan(o * perOutput, perOutput));
        }
        string name = conv.Input[1];
        g.Initializer.Add(new TensorProto { Name = name + "_int8", DataType = (int)TensorProto.Types.DataType.Int8, Dims = { weight.Dims }, RawData = ByteString.CopyFrom((byte[])(Array)q) });
        g.Initializer.Add(Tensors.Float(name + "_scales", scales, [outputs]));
        g.Initializer.Add(new TensorProto { Name = name + "_zero_points", DataType = (int)TensorProto.Types.DataType.Int8, Dims = { outputs }, RawData = ByteString.CopyFrom(new byte[outputs]) });
        int at = g.Node.IndexOf(conv);
        g.Node.Insert(at, Node("DequantizeLinear", [name + "_int8", name + "_scales", name + "_zero_points"], name + "_dq", axis: 0));
        conv.Input[1] = name + "_dq";
        g.Initializer.Remove(weight);

        if (conv.Input.Count < 3) return;
        var biasTensor = initializers.TryGetValue(conv.Input[2], out var b) ? b : g.Initializer.First(i => i.Name == conv.Input[2]);
        var bias = Tensors.Floats(biasTensor);
        if (inputMean is not null) CorrectBias(conv, weight, w, q, scales, inputMean, bias);
        var biasScales = scales.Select(s => s * inputScale).ToArray();
        var qb = bias.Select((v, o) => (int)Math.Clamp(Math.Round(v / biasScales[o]), int.MinValue, int.MaxValue)).ToArray();
        string biasName = conv.Input[2];
        g.Initializer.Add(new TensorProto { Name = biasName + "_int32", DataType = (int)TensorProto.Types.DataType.Int32, Dims = { outputs }, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(qb.AsSpan())) });
        g.Initializer.Add(Tensors.Float(biasName + "_scales", biasScales, [outputs]));
        g.Initializer.Add(new TensorProto { Name = biasName + "_zero_points", DataType = (int)TensorProto.Types.DataType.Int32, Dims = { outputs }, RawData = ByteString.CopyFrom(new byte[4 * outputs]) });
        g.Node.Insert(at, Node("DequantizeLinear", [biasName + "_int32", biasName + "_scales", biasName + "_zero_points"], biasName + "_dq", axis: 0));
        conv.Input[2] = biasName + "_dq";
        g.Initializer.Remove(biasTensor);
    }

    // bias -= (q · scale - w) · input mean, per output channel. Vectorised like the rounding above: a scalar loop here
    // added 30-80 ms to every int8 graph's build (a model's loading builds one).
    private static void CorrectBias(NodeProto conv, TensorProto weight, float[] w, sbyte[] q, float[] scales, float[] inputMean, float[] bias)
    {
        if (conv.Attribute.FirstOrDefault(a => a.Name == "group") is { I: > 1 })
            throw new InvalidDataException($"Bias correction does not handle grouped convolutions ('{conv.Input[1]}').");
        int outputs = scales.Length, perOutput = w.Length / outputs, perChannel = (int)(weight.Dims[2] * weight.Dims[3]);
        if (inputMean.Length * perChannel != perOutput)
            throw new InvalidDataException($"The int8 calibration's channel means of '{conv.Input[0]}' do not fit its convolution: it was made for another graph.");
        var tapMeans = new float[perOutput]; // each weight's input channel mean, in the weights' [C, kh, kw] order
        for (int i = 0; i < perOutput; i++) tapMeans[i] = inputMean[i / perChannel];
        var error = new float[perOutput];
        for (int o = 0; o < outputs; o++)
        {
            TensorPrimitives.ConvertChecked<sbyte, float>(q.AsSpan(o * perOutput, perOutput), error);
            TensorPrimitives.Multiply(error, scales[o], error);
            TensorPrimitives.Subtract(error, w.AsSpan(o * perOutput, perOutput), error);
            bias[o] -= TensorPrimitives.Dot(error, tapMeans);
        }
    }

    private static NodeProto Node(string op, string[] inputs, string output, int? axis = null)
    {
        var node = new NodeProto { OpType = op, Name = output + "_node" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        if (axis is { } a) node.Attribute.Add(OnnxGraphEditor.Int("axis", a));
        return node;
    }
}
