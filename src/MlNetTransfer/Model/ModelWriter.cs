using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using MlNetTransfer.Backbones;
using MlNetTransfer.Features;
using MlNetTransfer.Training;

namespace MlNetTransfer.Model;

/// <summary>
/// Writes the trained classifier as an ML.NET model: load image → resize → pixels → one ONNX graph (crop,
/// preprocessing, backbone, head, softmax, label). A consuming app needs only the ML.NET packages.
/// </summary>
public static class ModelWriter
{
    /// <summary>Builds the model and writes it to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public static void Save(string path, BackboneDescription backbone, HeadWeights head, IReadOnlyList<string> classes)
    {
        var ml = new MLContext(seed: 0);
        byte[] graph = ClassifierGraph.BuildMlNetGraph(backbone, head, classes);
        var pipeline = ml.Transforms.LoadImages(ImagePixels.ImageColumn, imageFolder: null, ModelColumns.ImagePath)
            .Append(ImagePixels.AppendResizeAndExtract(ml, backbone))
            .Append(ml.Transforms.ApplyOnnxModel([ClassifierGraph.LogitsOutput], [ClassifierGraph.PixelsInput], new MemoryStream(graph)))
            .Append(ml.Transforms.DropColumns(ImagePixels.ImageColumn, ClassifierGraph.PixelsInput));
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<ImagePathRow>());
        var imageToLogits = pipeline.Fit(empty);
        var model = imageToLogits.Append(LabelScorer.Create(ml, classes, ClassifierGraph.LogitsOutput));

        using var buffer = new MemoryStream();
        ml.Model.Save(model, empty.Schema, buffer);
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = zip.CreateEntry(ModelInfo.EntryName);
            using var stream = entry.Open();
            JsonSerializer.Serialize(stream, new ModelInfo { Classes = classes.ToList(), Backbone = backbone.Name, ImageSize = backbone.InputSize }, Json.Options);
        }
        AtomicFile.Write(path, buffer.ToArray());
    }

    private sealed class ImagePathRow
    {
        public string ImagePath { get; set; } = "";
    }
}
