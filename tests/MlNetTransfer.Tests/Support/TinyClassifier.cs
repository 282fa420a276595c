using Google.Protobuf;
using Onnx;

namespace MlNetTransfer.Tests.Support;

/// <summary>
/// A tiny ImageNet-style classifier laid out as torchvision's torch.onnx.export writes a ResNet (opset 17, fixed
/// batch 1, node names like /avgpool/GlobalAveragePool): Conv → Relu → GlobalAveragePool → Flatten → Gemm (fc).
/// Random, seeded weights: enough for the mechanics of a user-supplied backbone.
/// </summary>
public static class TinyClassifier
{
    public const string PooledNode = "/avgpool/GlobalAveragePool_output_0";
    public const int Channels = 16;

    public static void Write(string path, bool withClassifier = true, int seed = 5)
    {
        var random = new Random(seed);
        float[] Random(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
        var g = new GraphProto { Name = "main_graph" };
        g.Input.Add(Value("input", 1, 3, 224, 224));
        g.Initializer.Add(Tensor("conv1.weight", Random(Channels * 3 * 7 * 7, 0.05f), Channels, 3, 7, 7));
        g.Initializer.Add(Tensor("conv1.bias", Random(Channels, 0.1f), Channels));
        g.Node.Add(Node("Conv", "/conv1/Conv", ["input", "conv1.weight", "conv1.bias"], "/conv1/Conv_output_0",
            Ints("kernel_shape", 7, 7), Ints("strides", 4, 4), Ints("pads", 3, 3, 3, 3)));
        g.Node.Add(Node("Relu", "/relu/Relu", ["/conv1/Conv_output_0"], "/relu/Relu_output_0"));
        g.Node.Add(Node("GlobalAveragePool", "/avgpool/GlobalAveragePool", ["/relu/Relu_output_0"], PooledNode));
        if (withClassifier)
        {
            g.Node.Add(Node("Flatten", "/Flatten", [PooledNode], "/Flatten_output_0", new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 }));
            g.Initializer.Add(Tensor("fc.weight", Random(10 * Channels, 0.3f), 10, Channels));
            g.Initializer.Add(Tensor("fc.bias", Random(10, 0.1f), 10));
            g.Node.Add(Node("Gemm", "/fc/Gemm", ["/Flatten_output_0", "fc.weight", "fc.bias"], "output",
                new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 }));
            g.Output.Add(Value("output", 1, 10));
        }
        else
            g.Output.Add(Value(PooledNode, 1, Channels, 1, 1));
        var model = new ModelProto { IrVersion = 8, ProducerName = "pytorch", ProducerVersion = "2.1.0", Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        File.WriteAllBytes(path, model.ToByteArray());
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        n.Attribute.AddRange(attributes);
        return n;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static TensorProto Tensor(string name, float[] values, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        return t;
    }

    private static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }
}
