using Onnx;
using MlNetTransfer.Backbones;
using MlNetTransfer.Confidence;
using MlNetTransfer.Training;

namespace MlNetTransfer.Model;

/// <summary>
/// The classifier as ONNX: the backbone's <see cref="FeatureGraph"/> followed by the trained head. One variant for the
/// saved ML.NET model (one image in, logits out; ML.NET's scorer adds the softmax and the label) and one for
/// <c>export</c> (a batch in; probabilities, label and logits out).
/// </summary>
internal static class ClassifierGraph
{
    /// <summary>Output: class probabilities [N, C].</summary>
    public const string ScoreOutput = "Score";
    /// <summary>Output: the predicted class name.</summary>
    public const string LabelOutput = "PredictedLabel";
    /// <summary>Output: the head's logits, [N, C] (or [C] in the ML.NET graph).</summary>
    public const string LogitsOutput = "Logits";

    /// <summary>
    /// Pixels → features → head → logits, for ML.NET: one image, no batch dimension in the input ([3, side, side])
    /// or the output ([C]), because ML.NET runs one row at a time and its multiclass scorer wants a plain [C] vector.
    /// The scorer applies the softmax and names the label.
    /// </summary>
    /// <param name="backbonePart">The bytes of <see cref="BuildMlNetBackbonePart"/> for this backbone (built here when null).</param>
    /// <param name="temperature">The logits are divided by it (temperature scaling), so that the scorer's softmax is calibrated.</param>
    /// <param name="novelty">Adds the outputs <see cref="NoveltyDetector.NoveltyOutput"/> and <see cref="NoveltyDetector.UnknownOutput"/> ([1] each), computed from the features.</param>
    public static byte[] BuildMlNetGraph(BackboneDescription backbone, HeadWeights head, IReadOnlyList<string> classes, byte[]? backbonePart = null,
        double temperature = 1, NoveltyDetector? novelty = null)
    {
        CheckClasses(head, classes);
        backbonePart ??= BuildMlNetBackbonePart(backbone);
        var editor = new OnnxGraphEditor(8, "MlNetTransfer", namePrefix: "head/");
        string logits = AppendHead(editor, head, FeatureGraph.FeaturesOutput, output: null);
        if (temperature != 1)
            logits = editor.Node("Div", [logits, editor.FloatConstant("head/temperature", [(float)temperature], 1)]);
        editor.Reshape(logits, [classes.Count], LogitsOutput);
        editor.AddOutput(LogitsOutput, TensorProto.Types.DataType.Float, false, classes.Count);
        if (novelty is not null)
        {
            novelty.AppendTo(editor, FeatureGraph.FeaturesOutput, OnnxGraphEditor.OpsetOf(backbonePart));
            editor.AddOutput(NoveltyDetector.NoveltyOutput, TensorProto.Types.DataType.Float, false, 1);
            editor.AddOutput(NoveltyDetector.UnknownOutput, TensorProto.Types.DataType.Bool, false, 1);
        }
        editor.AddMetadata("classes", string.Join("\n", classes));
        // The 60 MB backbone part is copied, never parsed again: see OnnxGraphEditor.Concatenate.
        return OnnxGraphEditor.Concatenate(backbonePart, editor.GraphOnlyBytes());
    }

    /// <summary>The part of <see cref="BuildMlNetGraph"/> that depends on the backbone only: pixels [3, side, side] → features.</summary>
    public static byte[] BuildMlNetBackbonePart(BackboneDescription backbone)
    {
        var editor = FeatureGraph.Compose(backbone, batched: false, featuresAreOutput: false);
        editor.AddMetadata("backbone", backbone.Name);
        return editor.ToBytes();
    }

    /// <summary>
    /// A saved model's graph for use outside ML.NET, with a dynamic batch dimension: logits (<see cref="LogitsOutput"/>),
    /// probabilities (<see cref="ScoreOutput"/>) and the class name (<see cref="LabelOutput"/>); the class names and
    /// the input's layout in the metadata.
    /// </summary>
    internal static byte[] BuildExportGraph(SavedGraph saved, BackboneDescription pixels, IReadOnlyList<string> classes)
    {
        var editor = OnnxGraphEditor.Wrap(saved.Batched(), namePrefix: "export/");
        var outputs = editor.Graph.Output;
        for (int i = outputs.Count - 1; i >= 0; i--)
            if (outputs[i].Name is not (LogitsOutput or NoveltyDetector.NoveltyOutput or NoveltyDetector.UnknownOutput)) outputs.RemoveAt(i);
        editor.Node("Softmax", [LogitsOutput], ScoreOutput, OnnxGraphEditor.Int("axis", 1));
        string index = editor.Node("ArgMax", [ScoreOutput], null, OnnxGraphEditor.Int("axis", 1), OnnxGraphEditor.Int("keepdims", 0));
        editor.Node("Gather", [editor.StringConstant("class_names", classes), index], LabelOutput, OnnxGraphEditor.Int("axis", 0));
        editor.AddOutput(ScoreOutput, TensorProto.Types.DataType.Float, batched: true, classes.Count);
        editor.AddOutput(LabelOutput, TensorProto.Types.DataType.String, batched: true);
        int side = pixels.DecodedSize;
        editor.Model.MetadataProps.Clear();
        editor.AddMetadata("input", $"{FeatureGraph.PixelsInput}: float32 [N, 3, {side}, {side}], planar RGB (channel order R, G, B), values 0..255, " +
            (pixels.Resize == ResizeMode.Stretch
                ? $"the image stretched to {side}x{side}."
                : $"the image resized so that its shorter side is {side}, then centre-cropped to {side}x{side}. The graph crops the centre {pixels.InputSize}x{pixels.InputSize} and applies the backbone's normalisation itself."));
        editor.AddMetadata("outputs", $"{ScoreOutput}: float32 [N, {classes.Count}] class probabilities in the order of 'classes'; {LabelOutput}: string [N]; {LogitsOutput}: float32 [N, {classes.Count}] (divided by the calibration temperature)" +
            (saved.HasNovelty ? $"; {NoveltyDetector.NoveltyOutput}: float32 [N], how far the image's features lie from the training images'; {NoveltyDetector.UnknownOutput}: bool [N], novelty above the threshold set on the validation images." : "."));
        editor.AddMetadata("classes", string.Join("\n", classes));
        editor.AddMetadata("backbone", pixels.Name);
        return editor.ToBytes();
    }

    /// <summary>
    /// A tiny graph with the inputs and outputs of <see cref="BuildMlNetGraph"/> (its values are meaningless):
    /// ML.NET builds and saves its pipeline around it quickly, and the real graph's bytes replace it in the file.
    /// </summary>
    public static byte[] BuildMlNetPlaceholder(BackboneDescription backbone, int classCount, bool novelty = false)
    {
        var editor = new OnnxGraphEditor(8, "MlNetTransfer-placeholder");
        int side = backbone.DecodedSize;
        editor.AddInput(FeatureGraph.PixelsInput, false, 3, side, side);
        string flat = editor.Reshape(FeatureGraph.PixelsInput, [3L * side * side]);
        editor.Node("Slice", [flat], LogitsOutput, OnnxGraphEditor.Ints("starts", 0), OnnxGraphEditor.Ints("ends", classCount), OnnxGraphEditor.Ints("axes", 0));
        editor.AddOutput(LogitsOutput, TensorProto.Types.DataType.Float, false, classCount);
        if (novelty)
        {
            editor.Node("Slice", [flat], NoveltyDetector.NoveltyOutput, OnnxGraphEditor.Ints("starts", 0), OnnxGraphEditor.Ints("ends", 1), OnnxGraphEditor.Ints("axes", 0));
            editor.Node("Greater", [NoveltyDetector.NoveltyOutput, editor.FloatConstant("zero", [0f], 1)], NoveltyDetector.UnknownOutput);
            editor.AddOutput(NoveltyDetector.NoveltyOutput, TensorProto.Types.DataType.Float, false, 1);
            editor.AddOutput(NoveltyDetector.UnknownOutput, TensorProto.Types.DataType.Bool, false, 1);
        }
        return editor.ToBytes();
    }

    private static void CheckClasses(HeadWeights head, IReadOnlyList<string> classes)
    {
        if (classes.Count != head.ClassCount)
            throw new ArgumentException($"The head has {head.ClassCount} outputs but {classes.Count} class names were given.", nameof(classes));
    }

    // Gemm layers (the first with the feature scaling folded in) with ReLU between them; returns the last output.
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
}
