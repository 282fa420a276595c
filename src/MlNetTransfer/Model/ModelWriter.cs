using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetTransfer.Backbones;
using MlNetTransfer.Confidence;
using MlNetTransfer.IO;
using MlNetTransfer.Training;

namespace MlNetTransfer.Model;

/// <summary>
/// Writes the trained classifier as an ML.NET model: load (path) or decode (bytes) the image → resize → pixels →
/// one ONNX graph (crop, preprocessing, backbone, head) → ML.NET's multiclass scorer (Score, PredictedLabel). A path
/// model needs the ML.NET packages only; a bytes model also the MlNetTransfer package (its decoding step).
/// </summary>
internal static class ModelWriter
{
    // Raised whenever the pipeline built around the graph changes (its steps or column names): part of its cache key.
    private const int SkeletonLayout = 3;

    /// <summary>Builds the model and writes it to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    /// <param name="cacheFolder">The backbone's cache folder, where the parts that do not depend on the trained
    /// weights are kept between runs; null builds everything.</param>
    /// <param name="input">The column the model reads images from; default a path column ImagePath.</param>
    /// <param name="labelKey">Start with Model Builder's MapValueToKey of a "Label" column, whose key values are the classes.</param>
    /// <param name="validation">The validation figures to keep in the model's description (shown by <c>serve</c>).</param>
    /// <param name="temperature">The calibration temperature (<see cref="ClassifierGraph.BuildMlNetGraph"/>).</param>
    /// <param name="novelty">The novelty part of the graph, and its summary for the description; null: none.</param>
    public static void Save(string path, BackboneDescription backbone, HeadWeights head, IReadOnlyList<string> classes, string? cacheFolder = null,
        ModelInput? input = null, bool labelKey = false, ValidationSummary? validation = null, double temperature = 1,
        (NoveltyDetector Detector, NoveltySummary Summary)? novelty = null)
    {
        var info = new ModelInfo
        {
            Validation = validation,
            Classes = classes.ToList(),
            Backbone = backbone.Name,
            ImageSize = backbone.InputSize,
            CustomBackbone = BackboneRegistry.Names.Contains(backbone.Name) ? null : backbone,
            View = BackboneRegistry.Names.Contains(backbone.Name) && backbone.View != ImageView.Crop ? backbone.View : null,
            Int8 = BackboneRegistry.Names.Contains(backbone.Name) ? backbone.Int8 : null,
            Temperature = temperature,
            Novelty = novelty?.Summary,
        };
        Write(path, backbone, Graph(backbone, head, classes, cacheFolder, temperature, novelty?.Detector), info, cacheFolder, input ?? ModelInput.ImagePath, labelKey);
    }

    /// <summary>The model's ONNX graph (<see cref="ClassifierGraph.BuildMlNetGraph"/>), its backbone part kept in <paramref name="cacheFolder"/> between runs.</summary>
    public static byte[] Graph(BackboneDescription backbone, HeadWeights head, IReadOnlyList<string> classes, string? cacheFolder,
        double temperature = 1, NoveltyDetector? novelty = null) =>
        ClassifierGraph.BuildMlNetGraph(backbone, head, classes,
            CachedArtifact.GetOrBuild(cacheFolder, "mlnet-backbone-part.onnx", () => ClassifierGraph.BuildMlNetBackbonePart(backbone)), temperature, novelty);

    /// <summary>
    /// Writes the model at <paramref name="model"/> again with another input column or Model Builder's label key: its
    /// own graph, in a new ML.NET pipeline (for <c>codegen</c>). Nothing but the model file is read.
    /// </summary>
    public static void Rewrite(ModelFile model, string path, ModelInput input, bool labelKey, string? cacheFolder = null) =>
        Write(path, model.Backbone(), SavedGraph.ReadStored(model.Path), model.Info, cacheFolder, input, labelKey);

    private static void Write(string path, BackboneDescription backbone, byte[] graph, ModelInfo info, string? cacheFolder, ModelInput input, bool labelKey)
    {
        var classes = info.Classes;
        bool novelty = info.Novelty is not null;
        // The ML.NET pipeline depends on the backbone's preprocessing, the input and the class names only (the
        // scorer's weights are the identity), so it is kept between runs, keyed by those.
        string skeletonKey = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            $"{SkeletonLayout}|{ModelInfo.CurrentFormatVersion}|{MlNetInternals.MlNetVersion}|{backbone.PreprocessingSignature}|{input}|{labelKey}|{novelty}|{string.Join("\n", classes)}")))[..24];
        byte[] skeleton = CachedArtifact.GetOrBuild(cacheFolder, $"mlnet-pipeline-{skeletonKey}.zip", () => BuildSkeleton(backbone, classes, input, labelKey, novelty));
        info = info with { FormatVersion = ModelInfo.CurrentFormatVersion, Input = input, LabelKey = labelKey };
        AtomicFile.Write(path, stream => Repack(skeleton, graph, info, stream));
    }

    /// <summary>
    /// The fitted ML.NET pipeline of a trained classifier, for the estimator: <paramref name="input"/> → logits (by
    /// <paramref name="graph"/>, <see cref="Graph"/>'s) → the scorer's Score and PredictedLabel (a key over
    /// <paramref name="classes"/>, ML.NET's trainer convention), under the names given. The graph is a file of ours
    /// (<see cref="GraphFile.KeptUntilExit"/>): ML.NET's own temp copy would outlive the process, and a copy it owns (as
    /// <c>Model.Load</c> makes) is opened delete-on-close, which Windows may not let a later Save open again.
    /// </summary>
    internal static ITransformer Transformer(BackboneDescription backbone, byte[] graph, IReadOnlyList<string> classes, ModelInput input,
        string scoreColumn = ModelColumns.Score, string predictedLabelColumn = ModelColumns.PredictedLabel)
    {
        var ml = new MLContext(seed: 0);
        var empty = EmptyInput(ml, input, labelKey: false);
        var toLogits = ModelFront.InputToLogits(ml, backbone, input, GraphFile.KeptUntilExit(graph)).Fit(empty);
        var scorer = LabelScorer.CreateKeyed(ml, classes, ClassifierGraph.LogitsOutput);
        var scored = scorer.Transform(toLogits.Transform(empty));
        // ML.NET's scorer writes the default names; other names are copies of its columns, which then go.
        var renames = new[] { new InputOutputColumnPair(predictedLabelColumn, ModelColumns.PredictedLabel), new InputOutputColumnPair(scoreColumn, ModelColumns.Score) }
            .Where(p => p.OutputColumnName != p.InputColumnName).ToArray();
        var steps = new List<ITransformer> { toLogits, scorer };
        foreach (var rename in renames)
        {
            var copy = ml.Transforms.CopyColumns(rename.OutputColumnName, rename.InputColumnName).Fit(scored);
            steps.Add(copy);
            scored = copy.Transform(scored);
        }
        steps.Add(ml.Transforms.DropColumns([ClassifierGraph.LogitsOutput, .. renames.Select(p => p.InputColumnName)]).Fit(scored));
        return new TransformerChain<ITransformer>([.. steps]);
    }

    // ML.NET would open an ONNX Runtime session on the 60 MB graph and deflate it (≈3 s, most of a cached run):
    // the pipeline is built and saved around a placeholder graph of the same signature instead, and the real
    // graph is stored (uncompressed: its float weights barely compress) in the placeholder's entry
    // (seam MlNetInternals.OnnxZipEntrySeam).
    private static byte[] BuildSkeleton(BackboneDescription backbone, IReadOnlyList<string> classes, ModelInput input, bool labelKey, bool novelty)
    {
        var ml = new MLContext(seed: 0);
        var empty = EmptyInput(ml, input, labelKey);
        // Model Builder's models start by mapping the Label column to a key whose values are the classes, in Score order.
        ITransformer? toKey = labelKey
            ? ml.Transforms.Conversion.MapValueToKey(ModelColumns.Label, ModelColumns.Label,
                keyData: ml.Data.LoadFromEnumerable(classes.Select(c => new LabelRow { Label = c }))).Fit(empty)
            : null;
        using var placeholder = new GraphFile(ClassifierGraph.BuildMlNetPlaceholder(backbone, classes.Count, novelty));
        var front = ModelFront.InputToLogits(ml, backbone, input, placeholder.Path, novelty).Fit(toKey?.Transform(empty) ?? empty);
        using var model = new TransformerChain<ITransformer>([.. new[] { toKey }.OfType<ITransformer>(), front, LabelScorer.Create(ml, classes, ClassifierGraph.LogitsOutput)]);
        using var saved = new MemoryStream();
        ml.Model.Save(model, empty.Schema, saved);
        return saved.ToArray();
    }

    // An empty data view with the model's input column (text or bytes) and, for a Model-Builder-style model, Label.
    private static IDataView EmptyInput(MLContext ml, ModelInput input, bool labelKey)
    {
        var definition = SchemaDefinition.Create(typeof(InputRow));
        var image = definition[nameof(InputRow.Path)];
        if (input.Kind == ImageInputKind.Bytes) definition.Remove(image); else definition.Remove(definition[nameof(InputRow.Bytes)]);
        definition[input.Kind == ImageInputKind.Bytes ? nameof(InputRow.Bytes) : nameof(InputRow.Path)].ColumnName = input.Column;
        if (!labelKey) definition.Remove(definition[nameof(InputRow.Label)]);
        return ml.Data.LoadFromEnumerable(Array.Empty<InputRow>(), definition);
    }

    private static void Repack(byte[] skeleton, byte[] graph, ModelInfo info, Stream destination)
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
        using var infoStream = target.CreateEntry(ModelInfo.EntryName).Open();
        JsonSerializer.Serialize(infoStream, info, Json.Options);
    }

    // Model Builder's order: Label, then the image.
    private sealed class InputRow
    {
        public string Label { get; set; } = "";
        public string Path { get; set; } = "";
        public byte[] Bytes { get; set; } = [];
    }

    private sealed class LabelRow
    {
        public string Label { get; set; } = "";
    }
}
