using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using MlNetTransfer.Backbones;
using MlNetTransfer.IO;
using MlNetTransfer.Training;

namespace MlNetTransfer.Model;

/// <summary>
/// Writes the trained classifier as an ML.NET model: load image → resize → pixels → one ONNX graph (crop,
/// preprocessing, backbone, head) → ML.NET's multiclass scorer (Score, PredictedLabel). A consuming app needs only
/// the ML.NET packages.
/// </summary>
public static class ModelWriter
{
    /// <summary>Builds the model and writes it to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    /// <param name="cacheFolder">The backbone's cache folder, where the parts that do not depend on the trained
    /// weights are kept between runs; null builds everything.</param>
    public static void Save(string path, BackboneDescription backbone, HeadWeights head, IReadOnlyList<string> classes, string? cacheFolder = null)
    {
        // The ML.NET pipeline depends on the backbone's preprocessing and the class names only (the scorer's weights
        // are the identity), so it is kept between runs, keyed by those.
        string skeletonKey = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            $"{ModelInfo.CurrentFormatVersion}|{typeof(MLContext).Assembly.GetName().Version}|{backbone.PreprocessingSignature}|{string.Join("\n", classes)}")))[..24];
        byte[] skeleton = CachedArtifact.GetOrBuild(cacheFolder, $"mlnet-pipeline-{skeletonKey}.zip", () => BuildSkeleton(backbone, classes));
        byte[] backbonePart = CachedArtifact.GetOrBuild(cacheFolder, "mlnet-backbone-part.onnx", () => ClassifierGraph.BuildMlNetBackbonePart(backbone));
        byte[] graph = ClassifierGraph.BuildMlNetGraph(backbone, head, classes, backbonePart);
        var info = new ModelInfo
        {
            Classes = classes.ToList(),
            Backbone = backbone.Name,
            ImageSize = backbone.InputSize,
            CustomBackbone = BackboneRegistry.Names.Contains(backbone.Name) ? null : backbone,
        };
        AtomicFile.Write(path, stream => Repack(skeleton, graph, info, HeadFile.Write(head), stream));
    }

    // ML.NET would open an ONNX Runtime session on the 60 MB graph and deflate it (≈3 s, most of a cached run):
    // the pipeline is built and saved around a placeholder graph of the same signature instead, and the real
    // graph is stored (uncompressed: its float weights barely compress) in the placeholder's entry
    // (seam MlNetInternals.OnnxZipEntrySeam).
    private static byte[] BuildSkeleton(BackboneDescription backbone, IReadOnlyList<string> classes)
    {
        var ml = new MLContext(seed: 0);
        byte[] placeholder = ClassifierGraph.BuildMlNetPlaceholder(backbone, classes.Count);
        var pipeline = ModelFront.PathToLogits(ml, backbone, ModelColumns.ImagePath, placeholder);
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<ImagePathRow>());
        var model = pipeline.Fit(empty).Append(LabelScorer.Create(ml, classes, ClassifierGraph.LogitsOutput));
        using var saved = new MemoryStream();
        ml.Model.Save(model, empty.Schema, saved);
        return saved.ToArray();
    }

    private static void Repack(byte[] skeleton, byte[] graph, ModelInfo info, byte[] headBytes, Stream destination)
    {
        using var source = new ZipArchive(new MemoryStream(skeleton, writable: false), ZipArchiveMode.Read);
        var onnxEntries = source.Entries.Count(e => e.FullName.EndsWith(MlNetInternals.OnnxEntrySuffix, StringComparison.Ordinal));
        if (onnxEntries != 1)
            throw new InvalidOperationException($"Expected one ONNX model in the ML.NET pipeline, found {onnxEntries}.");
        using var target = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var entry in source.Entries)
        {
            bool isGraph = entry.FullName.EndsWith(MlNetInternals.OnnxEntrySuffix, StringComparison.Ordinal);
            var copy = target.CreateEntry(entry.FullName, isGraph ? CompressionLevel.NoCompression : CompressionLevel.Optimal);
            using var output = copy.Open();
            if (isGraph)
                MlNetInternals.WriteOnnxEntry(output, graph);
            else
            {
                using var input = entry.Open();
                input.CopyTo(output);
            }
        }
        using (var headStream = target.CreateEntry(HeadFile.EntryName).Open())
            headStream.Write(headBytes);
        using var infoStream = target.CreateEntry(ModelInfo.EntryName).Open();
        JsonSerializer.Serialize(infoStream, info, Json.Options);
    }

    private sealed class ImagePathRow
    {
        public string ImagePath { get; set; } = "";
    }
}
