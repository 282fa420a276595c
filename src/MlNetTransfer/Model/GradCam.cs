using Google.Protobuf;
using MlNetTransfer.Backbones;
using MlNetTransfer.Features;
using Onnx;

namespace MlNetTransfer.Model;

/// <summary>
/// Grad-CAM on a saved model's own graph: the backbone's last convolutional map A [K, h, w] is the input of the average
/// pool that makes the features, so the gradient of the predicted class's logit with respect to A_k(i, j) is the
/// gradient with respect to feature k over h·w, the same at every position. The channel weights are therefore the
/// head's gradient at the image's features, computed here through the head's Gemm and Relu layers; the heatmap is
/// relu(Σ_k weight_k · A_k), scaled to 0..1. One network run gives the map, the features and the logits together.
/// </summary>
internal sealed class GradCam : IDisposable
{
    private static readonly HashSet<string> Passthrough = ["Flatten", "Reshape", "Squeeze", "Identity", "QuantizeLinear", "DequantizeLinear"];
    private static readonly HashSet<string> AveragePools = ["GlobalAveragePool", "ReduceMean", "AveragePool"];

    private readonly FeatureNetwork _network;
    private readonly string _map;
    private readonly IReadOnlyList<Layer> _head;
    private readonly int _classCount;

    private sealed record Layer(float[] Weights, float[] Bias, int Outputs, int Inputs);

    /// <exception cref="MlNetTransferException">The model's features are not an average pool of a convolutional map,
    /// or its head is not a chain of Gemm and Relu layers.</exception>
    public GradCam(SavedGraph saved, string modelPath)
    {
        var model = saved.WithAnswer();
        var g = model.Graph;
        _map = MapBehind(g, modelPath);
        _head = HeadLayers(g, modelPath);
        g.Output.Add(new ValueInfoProto { Name = _map, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        _network = new FeatureNetwork(model.ToByteArray(), saved.Side, SavedGraph.AnswerOutput, saved.AnswerSize, Environment.ProcessorCount);
        _classCount = saved.ClassCount;
    }

    /// <summary>The answer (<see cref="SavedGraph.AnswerOutput"/>) for one image's pixels, and the heatmap of the predicted class.</summary>
    public (float[] Answer, HeatmapGrid Heatmap) Run(float[] pixels)
    {
        var outputs = _network.RunOne(pixels, SavedGraph.AnswerOutput, FeatureGraph.FeaturesOutput, _map);
        var answer = outputs[0].Values;
        var (map, shape) = outputs[2];
        if (shape.Length != 4) throw new MlNetTransferException($"The backbone's map before its pool has {shape.Length} dimensions, not the 4 of a convolutional map.");
        int channels = (int)shape[1], height = (int)shape[2], width = (int)shape[3];
        var weights = Gradient(outputs[1].Values, Training.HeadMath.ArgMax(answer.AsSpan(0, _classCount)));
        if (weights.Length != channels) throw new MlNetTransferException($"The head takes {weights.Length} features, the map has {channels} channels.");

        var cam = new float[height * width];
        for (int k = 0; k < channels; k++)
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(map.AsSpan(k * cam.Length, cam.Length), weights[k], cam, cam);
        System.Numerics.Tensors.TensorPrimitives.Max(cam, 0f, cam);
        float top = System.Numerics.Tensors.TensorPrimitives.Max<float>(cam);
        if (top > 0) System.Numerics.Tensors.TensorPrimitives.Divide(cam, top, cam);
        return (answer, new HeatmapGrid(width, height, cam));
    }

    // d logit[c] / d features: forward through the head to know which Relu units are open, then back.
    private float[] Gradient(float[] features, int c)
    {
        var activations = new List<float[]> { features };
        for (int i = 0; i < _head.Count - 1; i++)
        {
            var z = Affine(_head[i], activations[^1]);
            System.Numerics.Tensors.TensorPrimitives.Max(z, 0f, z);
            activations.Add(z);
        }
        var gradient = new float[_head[^1].Outputs];
        gradient[c] = 1;
        for (int i = _head.Count - 1; i >= 0; i--)
        {
            var layer = _head[i];
            var input = new float[layer.Inputs];
            for (int o = 0; o < layer.Outputs; o++)
                if (gradient[o] != 0)
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(layer.Weights.AsSpan(o * layer.Inputs, layer.Inputs), gradient[o], input, input);
            if (i > 0) // through the Relu before this layer: closed units pass nothing back
                for (int j = 0; j < input.Length; j++)
                    if (activations[i][j] <= 0) input[j] = 0;
            gradient = input;
        }
        return gradient;
    }

    private static float[] Affine(Layer layer, float[] x)
    {
        var y = new float[layer.Outputs];
        for (int o = 0; o < layer.Outputs; o++)
            y[o] = System.Numerics.Tensors.TensorPrimitives.Dot(layer.Weights.AsSpan(o * layer.Inputs, layer.Inputs), x) + layer.Bias[o];
        return y;
    }

    // Back from the features through reshapes and quantization to the average pool; its input is the map.
    private static string MapBehind(GraphProto g, string modelPath)
    {
        var producers = g.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        string tensor = FeatureGraph.FeaturesOutput;
        while (producers.TryGetValue(tensor, out var node))
        {
            if (AveragePools.Contains(node.OpType)) return node.Input[0];
            if (!Passthrough.Contains(node.OpType)) break;
            tensor = node.Input[0];
        }
        throw new MlNetTransferException($"{modelPath}: its backbone's features are not the average pool of a convolutional map (the tensor before them comes from {(producers.TryGetValue(tensor, out var n) ? n.OpType : "the input")}), so there is no map to explain with.");
    }

    // The head as the saved model holds it (ClassifierGraph): Gemm (transB) layers with a Relu between them.
    private static List<Layer> HeadLayers(GraphProto g, string modelPath)
    {
        var initializers = g.Initializer.ToDictionary(i => i.Name);
        var layers = new List<Layer>();
        string x = FeatureGraph.FeaturesOutput;
        while (true)
        {
            var gemm = g.Node.FirstOrDefault(n => n.OpType == "Gemm" && n.Input[0] == x);
            if (gemm is null) break;
            if (gemm.Attribute.FirstOrDefault(a => a.Name == "transB")?.I != 1 || gemm.Input.Count < 3
                || !initializers.TryGetValue(gemm.Input[1], out var w) || !initializers.TryGetValue(gemm.Input[2], out var b))
                throw new MlNetTransferException($"{modelPath}: its head is not the Gemm layers this version writes.");
            layers.Add(new Layer(Tensors.Floats(w), Tensors.Floats(b), (int)w.Dims[0], (int)w.Dims[1]));
            var relu = g.Node.FirstOrDefault(n => n.OpType == "Relu" && n.Input[0] == gemm.Output[0]);
            if (relu is null) break;
            x = relu.Output[0];
        }
        if (layers.Count == 0) throw new MlNetTransferException($"{modelPath}: its head is not the Gemm layers this version writes.");
        return layers;
    }

    public void Dispose() => _network.Dispose();
}

/// <summary>A heatmap: <see cref="Width"/> × <see cref="Height"/> values, row by row.</summary>
internal sealed record HeatmapGrid(int Width, int Height, float[] Values)
{
    public float this[int x, int y] => Values[y * Width + x];
}
