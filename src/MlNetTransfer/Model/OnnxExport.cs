using MlNetTransfer.IO;

namespace MlNetTransfer.Model;

/// <summary>
/// Writes a trained model as one plain ONNX file (pixels in; probabilities, label and logits out; class names and
/// the input's layout in the metadata) that ONNX Runtime runs from any language.
/// </summary>
public static class OnnxExport
{
    /// <summary>Exports the model at <paramref name="modelPath"/> to <paramref name="onnxPath"/> (written atomically).</summary>
    /// <exception cref="ModelLoadException">The model cannot be loaded.</exception>
    public static void Export(string modelPath, string onnxPath)
    {
        var model = ModelFile.Read(modelPath);
        AtomicFile.Write(onnxPath, ClassifierGraph.BuildExportGraph(model.Backbone(), model.Head, model.Classes));
    }
}
