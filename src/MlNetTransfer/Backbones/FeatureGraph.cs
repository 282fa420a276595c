using Onnx;

namespace MlNetTransfer.Backbones;

/// <summary>
/// The backbone as one ONNX graph from pixels to pooled features: centre crop, the backbone's own preprocessing (its
/// graph, or a per-channel normalisation), the network up to its feature node, flattened. Extraction runs it as it
/// is; the saved model appends the head to it (<see cref="Model.ClassifierGraph"/>), so both see the same pixels.
/// </summary>
internal static class FeatureGraph
{
    /// <summary>Input: planar RGB pixels in 0..255, [N, 3, side, side] with side = <see cref="BackboneDescription.DecodedSize"/>.</summary>
    public const string PixelsInput = "Pixels";
    /// <summary>The pooled features: [N, FeatureSize].</summary>
    public const string FeaturesOutput = "Features";

    /// <summary>Pixels [N, 3, side, side] → features [N, FeatureSize], with a dynamic batch dimension.</summary>
    public static byte[] Build(BackboneDescription backbone) => Compose(backbone, batched: true, featuresAreOutput: true).ToBytes();

    /// <summary>
    /// The graph as an editor to append to: pixels → <see cref="FeaturesOutput"/>. Unbatched, the input is one image
    /// [3, side, side] (ML.NET feeds one row at a time).
    /// </summary>
    /// <param name="prepareForInt8">Bring the float graph to the form an int8 one is made from (opset 13, BatchNormalization
    /// folded), as calibration needs it; implied when the backbone has an <see cref="BackboneDescription.Int8"/> calibration.</param>
    internal static OnnxGraphEditor Compose(BackboneDescription backbone, bool batched, bool featuresAreOutput, bool prepareForInt8 = false)
    {
        var network = OnnxGraphEditor.Load(backbone.ModelPath);
        ModelProto? preprocess = backbone.PreprocessPath is null ? null : OnnxGraphEditor.Load(backbone.PreprocessPath);
        long opset = Math.Max(OnnxGraphEditor.OpsetOf(network), preprocess is null ? 0 : OnnxGraphEditor.OpsetOf(preprocess));
        long irVersion = Math.Max(network.IrVersion, preprocess?.IrVersion ?? 0);
        bool int8 = prepareForInt8 || backbone.Int8 is not null;
        if (int8) (opset, irVersion) = (Math.Max(opset, Int8.Int8Graph.Opset), Math.Max(irVersion, 7));
        var editor = new OnnxGraphEditor(opset, "MlNetTransfer", irVersion: irVersion);

        int side = backbone.DecodedSize;
        editor.AddInput(PixelsInput, batched, 3, side, side);
        string x = batched ? PixelsInput : editor.Reshape(PixelsInput, [1, 3, side, side]);
        if (backbone.DecodedSize != backbone.InputSize)
            x = editor.CenterCrop(x, backbone.DecodedSize, backbone.InputSize);
        x = preprocess is not null
            ? editor.Append(preprocess, "pre/", backbone.PreprocessInputNode!, x, backbone.PreprocessOutputNode!)
            : Normalize(editor, backbone, x);
        x = editor.Append(network, "net/", backbone.InputNode, x, backbone.FeatureNode);
        editor.Node("Flatten", [x], FeaturesOutput, OnnxGraphEditor.Int("axis", 1));
        if (int8) Int8.Int8Graph.Prepare(editor.Graph);
        if (backbone.Int8 is { } calibration) Int8.Int8Graph.Quantize(editor.Graph, calibration);
        if (featuresAreOutput)
            editor.AddOutput(FeaturesOutput, TensorProto.Types.DataType.Float, batched: true, backbone.FeatureSize);
        return editor;
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
}
