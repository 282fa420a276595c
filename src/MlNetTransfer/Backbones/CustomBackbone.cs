using System.Text.Json;
using Onnx;
using MlNetTransfer.IO;

namespace MlNetTransfer.Backbones;

/// <summary>Preprocessing of a user's ONNX backbone, from flags or a JSON file beside the model; null fields keep the defaults.</summary>
public sealed record BackbonePreprocessing
{
    /// <summary>Side of the square input; default: the model's input size, else 224.</summary>
    public int? InputSize { get; init; }
    /// <summary>Side the shorter image side is resized to before the centre crop; default: InputSize × 256/224.</summary>
    public int? ResizeTo { get; init; }
    /// <summary>Per-channel mean, RGB order, in the units after <see cref="Scale"/>; default: torchvision's ImageNet mean.</summary>
    public float[]? Mean { get; init; }
    /// <summary>Per-channel standard deviation; default: torchvision's ImageNet std.</summary>
    public float[]? Std { get; init; }
    /// <summary>"0-1" (default, pixels divided by 255) or "0-255".</summary>
    public string? Scale { get; init; }
    /// <summary>True when the network wants B, G, R channel order.</summary>
    public bool? Bgr { get; init; }
    /// <summary>The pooled-feature node; default: found automatically.</summary>
    public string? FeatureNode { get; init; }
    /// <summary>"center-crop" (default) or "stretch".</summary>
    public string? Resize { get; init; }
}

/// <summary>
/// Describes an ImageNet classifier exported to ONNX (torchvision, the ONNX model zoo) as a backbone: finds its
/// pooled-feature node (the global pooling that feeds the final classifier) and its feature size, and takes its
/// preprocessing from a <see cref="BackbonePreprocessing"/> (torchvision's ImageNet mean/std on 0..1 input by default).
/// </summary>
internal static class CustomBackbone
{
    // A new array on each read: a description may hold it, and nothing can change the defaults through it.
    public static float[] ImageNetMean => [0.485f, 0.456f, 0.406f];
    public static float[] ImageNetStd => [0.229f, 0.224f, 0.225f];

    private const string FeatureNodeSetting = nameof(TrainSettings.BackbonePreprocessing) + "." + nameof(BackbonePreprocessing.FeatureNode);

    /// <summary>The JSON description read beside <paramref name="modelPath"/> when present: MODEL.onnx → MODEL.json.</summary>
    public static string DescriptionPath(string modelPath) => Path.ChangeExtension(modelPath, ".json");

    /// <summary>Describes <paramref name="modelPath"/>; <paramref name="overrides"/> win over the JSON beside the file, which wins over the defaults.</summary>
    /// <exception cref="InvalidDataException">Not an ONNX model.</exception>
    /// <exception cref="MlNetTransferException">No pooled-feature node could be found (set <see cref="BackbonePreprocessing.FeatureNode"/>), or a preprocessing setting is unknown.</exception>
    public static BackboneDescription Describe(string modelPath, BackbonePreprocessing? overrides = null)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"Backbone file not found: {modelPath}", modelPath);
        ModelProto model;
        try { model = OnnxGraphEditor.Load(modelPath); }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or InvalidDataException)
        {
            throw new InvalidDataException($"{modelPath} is not an ONNX model ({e.Message}).", e);
        }
        if (model.Graph is null || model.Graph.Node.Count == 0)
            throw new InvalidDataException($"{modelPath} is not an ONNX model (no graph).");

        var fromFile = File.Exists(DescriptionPath(modelPath))
            ? JsonSerializer.Deserialize<BackbonePreprocessing>(File.ReadAllText(DescriptionPath(modelPath)), Json.Options)
            : null;
        T? Pick<T>(Func<BackbonePreprocessing, T?> field) => (overrides is null ? default : field(overrides)) is { } o ? o : fromFile is null ? default : field(fromFile);

        var g = model.Graph;
        var initializers = g.Initializer.Select(i => i.Name).ToHashSet();
        var input = g.Input.FirstOrDefault(i => !initializers.Contains(i.Name))
            ?? throw new InvalidDataException($"{modelPath} has no image input.");
        var dims = input.Type?.TensorType?.Shape?.Dim.Select(d => d.DimValue).ToList() ?? [];
        int modelSide = dims.Count == 4 && dims[2] > 0 && dims[2] == dims[3] ? (int)dims[2] : 0;

        string? featureNode = Pick(p => p.FeatureNode);
        int featureSize;
        if (featureNode is null)
            (featureNode, featureSize) = FindPooledFeatures(g, modelPath);
        else
            featureSize = FeatureSizeAt(g, featureNode) ?? throw new InvalidDataException($"Cannot tell the feature size at node output '{featureNode}' of {modelPath}.");

        int inputSize = Pick(p => p.InputSize) ?? (modelSide > 0 ? modelSide : 224);
        bool stretch = string.Equals(Pick(p => p.Resize), "stretch", StringComparison.OrdinalIgnoreCase);
        string scale = Pick(p => p.Scale) ?? "0-1";
        return new BackboneDescription
        {
            Name = Path.GetFileName(modelPath),
            ModelPath = Path.GetFullPath(modelPath),
            InputNode = input.Name,
            FeatureNode = featureNode,
            FeatureSize = featureSize,
            InputSize = inputSize,
            ResizeTo = stretch ? inputSize : Pick(p => p.ResizeTo) ?? (int)Math.Round(inputSize * 256.0 / 224),
            Resize = stretch ? ResizeMode.Stretch : ResizeMode.ResizeThenCenterCrop,
            Mean = Pick(p => p.Mean) ?? ImageNetMean,
            Std = Pick(p => p.Std) ?? ImageNetStd,
            PixelScale = scale switch
            {
                "0-1" => 1f / 255f,
                "0-255" => 1f,
                _ => throw new MlNetTransferException($"Unknown pixel scale '{scale}' (BackbonePreprocessing.Scale): use 0-1 or 0-255.",
                    nameof(TrainSettings.BackbonePreprocessing) + "." + nameof(BackbonePreprocessing.Scale)),
            },
            Bgr = Pick(p => p.Bgr) ?? false,
        };
    }

    // The classifier is the last Gemm/MatMul; walking back from it through Flatten/Reshape/Squeeze reaches the
    // global pooling whose output is the feature vector. Its size is the classifier weight's input dimension.
    private static (string Node, int Size) FindPooledFeatures(GraphProto g, string modelPath)
    {
        var producer = new Dictionary<string, NodeProto>();
        foreach (var n in g.Node)
            foreach (var o in n.Output) producer[o] = n;
        var classifier = g.Node.LastOrDefault(n => n.OpType is "Gemm" or "MatMul")
            ?? throw new MlNetTransferException($"{modelPath} has no final classifier layer (Gemm/MatMul): set BackbonePreprocessing.FeatureNode to the node whose output is the pooled features.", FeatureNodeSetting);
        string current = classifier.Input[0];
        string? pooled = null;
        for (int step = 0; step < 8 && producer.TryGetValue(current, out var node); step++)
        {
            if (node.OpType is "GlobalAveragePool" or "AveragePool" or "ReduceMean" or "GlobalMaxPool")
            {
                pooled = node.Output[0];
                break;
            }
            if (node.OpType is not ("Flatten" or "Reshape" or "Squeeze" or "Identity" or "Dropout"))
                break;
            current = node.Input[0];
        }
        if (pooled is null)
            throw new MlNetTransferException($"No global pooling feeds the classifier of {modelPath}: set BackbonePreprocessing.FeatureNode to the node whose output is the pooled features.", FeatureNodeSetting);
        var weight = g.Initializer.FirstOrDefault(i => i.Name == classifier.Input[1])
            ?? throw new MlNetTransferException($"The classifier weights of {modelPath} are not constants: set BackbonePreprocessing.FeatureNode to the node whose output is the pooled features.", FeatureNodeSetting);
        bool transB = classifier.OpType == "Gemm" && classifier.Attribute.Any(a => a.Name == "transB" && a.I == 1);
        long size = weight.Dims.Count == 2 ? (transB ? weight.Dims[1] : weight.Dims[0]) : 0;
        if (size <= 0)
            throw new MlNetTransferException($"Cannot tell the feature size of {modelPath}: set BackbonePreprocessing.FeatureNode to the node whose output is the pooled features.", FeatureNodeSetting);
        return (pooled, (int)size);
    }

    private static int? FeatureSizeAt(GraphProto g, string node)
    {
        var info = g.ValueInfo.Concat(g.Output).FirstOrDefault(v => v.Name == node);
        var dims = info?.Type?.TensorType?.Shape?.Dim.Skip(1).Select(d => d.DimValue).ToList();
        return dims is { Count: > 0 } && dims.All(d => d > 0) ? (int)dims.Aggregate(1L, (a, b) => a * b) : null;
    }
}
