using Onnx;
using MlNetTransfer.Training;

namespace MlNetTransfer.Backbones;

/// <summary>
/// Builds the ONNX graphs the tool runs: the feature graph (pixels → pooled features, used for extraction) and the
/// classifier graph (pixels → class probabilities and label, embedded in the saved ML.NET model).
/// </summary>
public static class ClassifierGraph
{
    /// <summary>Input: planar RGB pixels in 0..255, [N, 3, side, side] with side = <see cref="BackboneDescription.DecodedSize"/>.</summary>
    public const string PixelsInput = "Pixels";
    /// <summary>Output of the feature graph: [N, FeatureSize].</summary>
    public const string FeaturesOutput = "Features";
    /// <summary>Output of the classifier graph: class probabilities [N, C].</summary>
    public const string ScoreOutput = "Score";
    /// <summary>Output of the classifier graph: the predicted class name.</summary>
    public const string LabelOutput = "PredictedLabel";

    /// <summary>Pixels → crop → backbone preprocessing → backbone → flattened pooled features, with a dynamic batch.</summary>
    public static byte[] BuildFeatureGraph(BackboneDescription backbone) => Compose(backbone).ToBytes();

    /// <summary>Output of the classifier graph for ML.NET: the head's logits [N, C].</summary>
    public const string LogitsOutput = "Logits";

    /// <summary>
    /// Pixels → features → head → logits, for ML.NET: one image, no batch dimension in the input ([3, side, side])
    /// or the output ([C]), because ML.NET runs one row at a time and its multiclass scorer wants a plain [C] vector.
    /// The scorer applies the softmax and names the label.
    /// </summary>
    /// <param name="backbonePart">The bytes of <see cref="BuildMlNetBackbonePart"/> for this backbone (built here when null).</param>
    public static byte[] BuildMlNetGraph(BackboneDescription backbone, HeadWeights head, IReadOnlyList<string> classes, byte[]? backbonePart = null)
    {
        if (classes.Count != head.ClassCount)
            throw new ArgumentException($"The head has {head.ClassCount} outputs but {classes.Count} class names were given.", nameof(classes));
        backbonePart ??= BuildMlNetBackbonePart(backbone);
        // Protobuf merges a message field that occurs twice, so the head's graph appended to the backbone's bytes is
        // one model: the 60 MB backbone part is never parsed again, only copied.
        var editor = new OnnxGraphEditor(8, "MlNetTransfer", namePrefix: "head/");
        string logits = AppendHead(editor, head, FeaturesOutput, output: null);
        editor.Reshape(logits, [classes.Count], LogitsOutput);
        editor.AddOutput(LogitsOutput, TensorProto.Types.DataType.Float, false, classes.Count);
        editor.AddMetadata("classes", string.Join("\n", classes));
        var headPart = editor.GraphOnlyBytes();
        var model = new byte[backbonePart.Length + headPart.Length];
        backbonePart.CopyTo(model, 0);
        headPart.CopyTo(model, backbonePart.Length);
        return model;
    }

    /// <summary>The part of <see cref="BuildMlNetGraph"/> that depends on the backbone only: pixels [3, side, side] → <see cref="FeaturesOutput"/>.</summary>
    public static byte[] BuildMlNetBackbonePart(BackboneDescription backbone)
    {
        var editor = Compose(backbone, featuresAreOutput: false, batched: false);
        editor.AddMetadata("backbone", backbone.Name);
        return editor.ToBytes();
    }

    private static string AppendHead(OnnxGraphEditor editor, HeadWeights head, string input, string? output)
    {
        string x = input;
        for (int i = 0; i < head.Layers.Count; i++)
        {
            var layer = i == 0 ? head.FoldedFirstLayer() : head.Layers[i];
            string w = editor.FloatConstant($"head_w{i}", layer.Weights, layer.Outputs, layer.Inputs);
            string b = editor.FloatConstant($"head_b{i}", layer.Bias, layer.Outputs);
            bool last = i == head.Layers.Count - 1;
            x = editor.Node("Gemm", [x, w, b], last ? output : null, OnnxGraphEditor.Int("transB", 1));
            if (!last)
                x = editor.Node("Relu", [x]);
        }
        return x;
    }

    /// <summary>
    /// Pixels → features → head → logits (<see cref="LogitsOutput"/>), with a dynamic batch dimension. With
    /// <paramref name="probabilities"/> it adds the softmax (<see cref="ScoreOutput"/>) and the class name
    /// (<see cref="LabelOutput"/>) for use outside ML.NET.
    /// </summary>
    public static byte[] BuildClassifierGraph(BackboneDescription backbone, HeadWeights head, IReadOnlyList<string> classes, bool probabilities) =>
        BuildClassifierGraph(backbone, head, classes, probabilities, batched: true);


    private static byte[] BuildClassifierGraph(BackboneDescription backbone, HeadWeights head, IReadOnlyList<string> classes, bool probabilities, bool batched)
    {
        if (classes.Count != head.ClassCount)
            throw new ArgumentException($"The head has {head.ClassCount} outputs but {classes.Count} class names were given.", nameof(classes));
        var editor = Compose(backbone, featuresAreOutput: false, batched);
        AppendHead(editor, head, FeaturesOutput, LogitsOutput);
        editor.AddOutput(LogitsOutput, TensorProto.Types.DataType.Float, batched, classes.Count);
        if (probabilities)
        {
            editor.Node("Softmax", [LogitsOutput], ScoreOutput, OnnxGraphEditor.Int("axis", 1));
            string index = editor.Node("ArgMax", [ScoreOutput], null, OnnxGraphEditor.Int("axis", 1), OnnxGraphEditor.Int("keepdims", 0));
            editor.Node("Gather", [editor.StringConstant("class_names", classes), index], LabelOutput, OnnxGraphEditor.Int("axis", 0));
            editor.AddOutput(ScoreOutput, TensorProto.Types.DataType.Float, batched: true, classes.Count);
            editor.AddOutput(LabelOutput, TensorProto.Types.DataType.String, batched: true);
            int side = backbone.DecodedSize;
            editor.AddMetadata("input", $"{PixelsInput}: float32 [N, 3, {side}, {side}], planar RGB (channel order R, G, B), values 0..255, " +
                (backbone.Resize == ResizeMode.Stretch
                    ? $"the image stretched to {side}x{side}."
                    : $"the image resized so that its shorter side is {side}, then centre-cropped to {side}x{side}. The graph crops the centre {backbone.InputSize}x{backbone.InputSize} and applies the backbone's normalisation itself."));
            editor.AddMetadata("outputs", $"{ScoreOutput}: float32 [N, {classes.Count}] class probabilities in the order of 'classes'; {LabelOutput}: string [N]; {LogitsOutput}: float32 [N, {classes.Count}].");
        }
        editor.AddMetadata("classes", string.Join("\n", classes));
        editor.AddMetadata("backbone", backbone.Name);
        return editor.ToBytes();
    }

    /// <summary>
    /// A tiny graph with the inputs and outputs of <see cref="BuildMlNetGraph"/> (its values are meaningless):
    /// ML.NET builds and saves its pipeline around it quickly, and the real graph's bytes replace it in the file.
    /// </summary>
    public static byte[] BuildMlNetPlaceholder(BackboneDescription backbone, int classCount)
    {
        var editor = new OnnxGraphEditor(8, "MlNetTransfer-placeholder");
        int side = backbone.DecodedSize;
        editor.AddInput(PixelsInput, false, 3, side, side);
        string flat = editor.Reshape(PixelsInput, [3L * side * side]);
        editor.Node("Slice", [flat], LogitsOutput, OnnxGraphEditor.Ints("starts", 0), OnnxGraphEditor.Ints("ends", classCount), OnnxGraphEditor.Ints("axes", 0));
        editor.AddOutput(LogitsOutput, TensorProto.Types.DataType.Float, false, classCount);
        return editor.ToBytes();
    }

    // (x * scale - mean) / std per channel = x * a + b with a = scale / std, b = -mean / std, as [1, 3, 1, 1] constants.
    private static string Normalize(OnnxGraphEditor editor, BackboneDescription backbone, string x)
    {
        if (backbone.Bgr)
            x = editor.Node("Gather", [x, editor.Int64Constant("bgr_order", [2, 1, 0], 3)], null, OnnxGraphEditor.Int("axis", 1));
        var mean = backbone.Mean ?? [0f, 0f, 0f];
        var std = backbone.Std ?? [1f, 1f, 1f];
        if (backbone.Mean is null && backbone.Std is null && backbone.PixelScale == 1f)
            return x;
        var a = Enumerable.Range(0, 3).Select(c => backbone.PixelScale / std[c]).ToArray();
        var b = Enumerable.Range(0, 3).Select(c => -mean[c] / std[c]).ToArray();
        x = editor.Node("Mul", [x, editor.FloatConstant("norm_scale", a, 1, 3, 1, 1)]);
        return editor.Node("Add", [x, editor.FloatConstant("norm_shift", b, 1, 3, 1, 1)]);
    }

    private static OnnxGraphEditor Compose(BackboneDescription backbone, bool featuresAreOutput = true, bool batched = true)
    {
        var network = OnnxGraphEditor.Load(backbone.ModelPath);
        ModelProto? preprocess = backbone.PreprocessPath is null ? null : OnnxGraphEditor.Load(backbone.PreprocessPath);
        long opset = Math.Max(OnnxGraphEditor.OpsetOf(network), preprocess is null ? 0 : OnnxGraphEditor.OpsetOf(preprocess));
        var editor = new OnnxGraphEditor(opset, "MlNetTransfer", irVersion: Math.Max(network.IrVersion, preprocess?.IrVersion ?? 0));

        int side = backbone.DecodedSize;
        editor.AddInput(PixelsInput, batched, 3, side, side);
        string x = batched ? PixelsInput : editor.Reshape(PixelsInput, [1, 3, side, side]);
        if (backbone.DecodedSize != backbone.InputSize)
            x = editor.CenterCrop(x, backbone.DecodedSize, backbone.InputSize);
        if (preprocess is not null)
            x = editor.Append(preprocess, "pre/", backbone.PreprocessInputNode!, x, backbone.PreprocessOutputNode!);
        else
            x = Normalize(editor, backbone, x);
        x = editor.Append(network, "net/", backbone.InputNode, x, backbone.FeatureNode);
        editor.Node("Flatten", [x], FeaturesOutput, OnnxGraphEditor.Int("axis", 1));
        if (featuresAreOutput)
            editor.AddOutput(FeaturesOutput, TensorProto.Types.DataType.Float, batched: true, backbone.FeatureSize);
        return editor;
    }
}
