using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace MlNetTransfer.Model;

/// <summary>
/// Every place where the tool depends on ML.NET beyond its public API, in one file. Each seam says what it relies
/// on; <see cref="Probe"/> exercises them all, and a test calls it, so an ML.NET upgrade that breaks one fails with
/// the seam's name instead of a model that silently misbehaves. One more dependence lives where it works:
/// <see cref="Data.ImagePixels"/> repeats the SkiaSharp calls of ML.NET's image transforms (seam
/// <see cref="PixelsSeam"/>, probed here on one image and by a test on every image kind the tests know).
/// </summary>
internal static class MlNetInternals
{
    public const string ScorerWeightsSeam = "multiclass scorer weights";
    public const string SchemaShapeSeam = "SchemaShape from a schema";
    public const string OnnxZipEntrySeam = "ONNX graph entry in the model zip";
    public const string CatalogEnvironmentSeam = "a trainer catalog's environment";
    public const string PixelsSeam = "ML.NET's image decode and resize, repeated by ImagePixels";

    /// <summary>The ML.NET release the tool was built against, from its assembly (for generated projects and messages).</summary>
    public static string MlNetVersion => IO.PackageVersion.Of(typeof(MLContext));

    /// <summary>The ONNX Runtime release, from its assembly.</summary>
    public static string OnnxRuntimeVersion => IO.PackageVersion.Of(typeof(Microsoft.ML.OnnxRuntime.InferenceSession));

    /// <summary>
    /// Seam <see cref="ScorerWeightsSeam"/>: sets a fitted maximum-entropy model's weights to the identity and its biases
    /// to 0, through the private fields of <see cref="LinearMulticlassModelParametersBase"/> (ML.NET has no public
    /// setter). Its scorer then turns logits into ML.NET's own Score and PredictedLabel (see <see cref="LabelScorer"/>).
    /// </summary>
    public static void SetScorerToIdentity(MaximumEntropyModelParameters model, int classes)
    {
        var type = typeof(LinearMulticlassModelParametersBase);
        var weights = (VBuffer<float>[])Field(type, "Weights", ScorerWeightsSeam).GetValue(model)!;
        var biases = (float[])Field(type, "Biases", ScorerWeightsSeam).GetValue(model)!;
        if (weights.Length != classes || biases.Length != classes)
            throw Broken(ScorerWeightsSeam, $"{weights.Length} weight rows and {biases.Length} biases for {classes} classes");
        for (int k = 0; k < classes; k++)
        {
            var row = new float[classes];
            row[k] = 1f;
            weights[k] = new VBuffer<float>(classes, row);
        }
        Array.Clear(biases);
        Field(type, "_weightsDense", ScorerWeightsSeam).SetValue(model, null); // a lazily built dense copy of the old weights
    }

    /// <summary>
    /// Seam <see cref="SchemaShapeSeam"/>: the shape of <paramref name="schema"/>'s columns, through ML.NET's internal
    /// <c>SchemaShape.Create(DataViewSchema)</c>: the one way to make shape columns with annotations from types.
    /// </summary>
    public static SchemaShape ShapeOf(DataViewSchema schema)
    {
        var create = typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(DataViewSchema)])
            ?? throw Broken(SchemaShapeSeam, "SchemaShape has no Create(DataViewSchema)");
        return (SchemaShape)create.Invoke(null, [schema])!;
    }

    /// <summary>
    /// Seam <see cref="OnnxZipEntrySeam"/>: ML.NET stores an ONNX transformer's graph in the model zip in an entry whose
    /// name ends with this, as a little-endian int32 length followed by the bytes (its ModelSaveContext.WriteByteArray).
    /// The saved model replaces a placeholder graph's entry with the real graph (see <see cref="ModelWriter"/>).
    /// </summary>
    public const string OnnxEntrySuffix = "/OnnxModel";

    /// <summary>Writes <paramref name="graph"/> as the content of an <see cref="OnnxEntrySuffix"/> entry.</summary>
    public static void WriteOnnxEntry(Stream entry, byte[] graph)
    {
        entry.Write(BitConverter.GetBytes(graph.Length)); // little-endian on every platform .NET runs ML.NET on
        entry.Write(graph);
    }

    /// <summary>Reads the graph out of an <see cref="OnnxEntrySuffix"/> entry (what <see cref="WriteOnnxEntry"/> wrote).</summary>
    public static byte[] ReadOnnxEntry(Stream entry)
    {
        using var reader = new BinaryReader(entry);
        int length = reader.ReadInt32();
        var graph = reader.ReadBytes(length);
        return graph.Length == length ? graph : throw new EndOfStreamException($"the ONNX entry is cut short ({graph.Length} of {length} bytes)");
    }

    /// <summary>
    /// Seam <see cref="CatalogEnvironmentSeam"/>: the ML.NET environment behind <c>mlContext.MulticlassClassification.Trainers</c>
    /// (the internal <c>Owner</c> of the catalog, its private-protected <c>Environment</c>), so that the estimator can
    /// write to <c>MLContext.Log</c> as ML.NET's own trainers do.
    /// </summary>
    public static Microsoft.ML.Runtime.IHostEnvironment EnvironmentOf(MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        const BindingFlags any = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        var owner = typeof(TrainCatalogBase.CatalogInstantiatorBase).GetProperty("Owner", any)?.GetValue(catalog)
            ?? throw Broken(CatalogEnvironmentSeam, "the catalog has no Owner");
        return typeof(TrainCatalogBase).GetProperty("Environment", any)?.GetValue(owner) as Microsoft.ML.Runtime.IHostEnvironment
            ?? throw Broken(CatalogEnvironmentSeam, "the catalog's owner has no Environment");
    }

    /// <summary>Runs every seam on a tiny model; throws <see cref="InvalidOperationException"/> naming the one that no longer holds.</summary>
    public static void Probe()
    {
        var ml = new MLContext(seed: 0);
        var scorer = LabelScorer.Create(ml, ["a", "b"], "Logits"); // exercises ScorerWeightsSeam
        var probe = ml.Data.LoadFromEnumerable([new ProbeRow { Logits = [2f, 0f] }]);
        var scores = ml.Data.CreateEnumerable<ProbeOutput>(scorer.Transform(probe), reuseRowObject: false).Single();
        float expected = 1f / (1f + MathF.Exp(-2f));
        if (scores.PredictedLabel != "a" || Math.Abs(scores.Score[0] - expected) > 1e-5)
            throw Broken(ScorerWeightsSeam, $"the scorer gave {scores.PredictedLabel} {string.Join(",", scores.Score)} for logits (2, 0); softmax is a {expected}");

        var shape = ShapeOf(probe.Schema);
        if (shape.FirstOrDefault(c => c.Name == "Logits") is not { Kind: SchemaShape.Column.VectorKind.Vector })
            throw Broken(SchemaShapeSeam, "the shape of a vector column came back wrong");

        var environment = EnvironmentOf(ml.MulticlassClassification.Trainers);
        var messages = new List<string>();
        ml.Log += (_, e) => messages.Add(e.Message);
        using (var channel = environment.Register("probe").Start("probe"))
            channel.Info(Microsoft.ML.Runtime.MessageSensitivity.None, "hello");
        if (!messages.Contains("[Source=probe; probe, Kind=Info] hello"))
            throw Broken(CatalogEnvironmentSeam, "a message written through it did not reach MLContext.Log");

        ProbePixels(ml);

        var placeholder = ClassifierGraph.BuildMlNetPlaceholder(Backbones.BackboneRegistry.Get(), 2);
        using var placeholderFile = new GraphFile(placeholder);
        var onnx = ml.Transforms.ApplyOnnxModel([ClassifierGraph.LogitsOutput], [Backbones.FeatureGraph.PixelsInput], placeholderFile.Path);
        using var fitted = onnx.Fit(ml.Data.LoadFromEnumerable(Array.Empty<PixelsRow>(), PixelsRow.Schema(Backbones.BackboneRegistry.Get().DecodedSize)));
        using var withGraph = new MemoryStream();
        ml.Model.Save(fitted, null, withGraph);
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(withGraph.ToArray()), System.IO.Compression.ZipArchiveMode.Read);
        var entry = zip.Entries.SingleOrDefault(e => e.FullName.EndsWith(OnnxEntrySuffix, StringComparison.Ordinal))
            ?? throw Broken(OnnxZipEntrySeam, $"no entry ends with {OnnxEntrySuffix}: {string.Join(", ", zip.Entries.Select(e => e.FullName))}");
        using var content = new MemoryStream();
        using (var stream = entry.Open()) stream.CopyTo(content);
        var written = new MemoryStream();
        WriteOnnxEntry(written, placeholder);
        if (!content.ToArray().AsSpan().SequenceEqual(written.ToArray()))
            throw Broken(OnnxZipEntrySeam, "the entry is no longer a length-prefixed copy of the graph");
    }

    private static void ProbePixels(MLContext ml)
    {
        using var bitmap = new SkiaSharp.SKBitmap(301, 203);
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
                bitmap.SetPixel(x, y, new SkiaSharp.SKColor((byte)x, (byte)(y * 3), (byte)(x ^ y)));
        using var encoded = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90);
        byte[] jpeg = encoded.ToArray();
        var backbone = Backbones.BackboneRegistry.Get();
        var fast = new float[3 * backbone.DecodedSize * backbone.DecodedSize];
        new Data.ImagePixels(backbone).Decode(jpeg, fast);
        var resize = ModelFront.ResizeAndExtract(ml, backbone, nameof(ImageRow.Image)).Fit(ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>()));
        using var engine = ml.Model.CreatePredictionEngine<ImageRow, PixelsRow>(resize);
        using var image = MLImage.CreateFromStream(new MemoryStream(jpeg));
        if (!engine.Predict(new ImageRow { Image = image }).Pixels.AsSpan().SequenceEqual(fast))
            throw Broken(PixelsSeam, "ML.NET's transforms and ImagePixels no longer give the same pixels for a JPEG");
    }

    private static FieldInfo Field(Type type, string name, string seam) =>
        type.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
        ?? throw Broken(seam, $"{type.Name} has no field {name}");

    private static InvalidOperationException Broken(string seam, string detail) =>
        new($"ML.NET internals seam '{seam}' no longer holds with ML.NET {MlNetVersion}: {detail}. See Model/MlNetInternals.cs.");

    private sealed class ProbeRow
    {
        [VectorType(2)]
        public float[] Logits { get; set; } = [];
    }

    private sealed class ProbeOutput
    {
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }

    private sealed class ImageRow
    {
        [Microsoft.ML.Transforms.Image.ImageType(1, 1)]
        public MLImage? Image { get; set; }
    }

    private sealed class PixelsRow
    {
        public float[] Pixels { get; set; } = [];

        public static SchemaDefinition Schema(int side)
        {
            var definition = SchemaDefinition.Create(typeof(PixelsRow));
            definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3, side, side);
            return definition;
        }
    }
}
