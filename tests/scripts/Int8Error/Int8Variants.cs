using Google.Protobuf;
using MlNetTransfer.Backbones;
using MlNetTransfer.Backbones.Int8;
using Onnx;

/// <summary>The float feature graph in the form int8 is made from, its int8 graph, and that graph with parts left in float.</summary>
internal sealed class Int8Variants(BackboneDescription backbone, Int8Calibration calibration)
{
    public IReadOnlyList<string> QuantizedActivations { get; } = Int8Graph.QuantizedTensors(Prepared(backbone).Graph);

    /// <summary>The network's input as the first convolution reads it (QuantizedTensors lists it first).</summary>
    public string FirstConvolutionInput => QuantizedActivations[0];

    public ModelProto Float() => Prepared(backbone);

    public ModelProto Int8()
    {
        var model = Prepared(backbone);
        Int8Graph.Quantize(model.Graph, calibration);
        return model;
    }

    /// <summary>Each listed activation's QuantizeLinear → DequantizeLinear taken out: its consumers read the float tensor.</summary>
    public ModelProto WithFloatActivations(IEnumerable<string> tensors)
    {
        var model = Int8();
        var g = model.Graph;
        foreach (var tensor in tensors)
        {
            g.Node.Remove(g.Node.Single(n => n.Output[0] == tensor + "_q"));
            g.Node.Remove(g.Node.Single(n => n.Output[0] == tensor + "_dq"));
            foreach (var node in g.Node)
                for (int i = 0; i < node.Input.Count; i++)
                    if (node.Input[i] == tensor + "_dq") node.Input[i] = tensor;
            foreach (var output in g.Output.Where(o => o.Name == tensor + "_dq")) output.Name = tensor;
        }
        return model;
    }

    /// <summary>Every convolution's weights and bias dequantized back to the float values they were made from.</summary>
    public ModelProto WithFloatWeights()
    {
        var floats = Prepared(backbone).Graph;
        var initializers = floats.Initializer.ToDictionary(i => i.Name);
        var model = Int8();
        foreach (var conv in floats.Node.Where(n => n.OpType == "Conv"))
            foreach (var name in conv.Input.Skip(1))
            {
                model.Graph.Node.Remove(model.Graph.Node.Single(n => n.Output[0] == name + "_dq"));
                var tensor = initializers[name].Clone();
                tensor.Name = name + "_dq";
                model.Graph.Initializer.Add(tensor);
            }
        return model;
    }

    private static ModelProto Prepared(BackboneDescription backbone) =>
        FeatureGraph.Compose(backbone with { Int8 = null }, batched: true, featuresAreOutput: true, prepareForInt8: true).Model;
}
