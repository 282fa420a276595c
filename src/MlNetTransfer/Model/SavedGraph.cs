using System.IO.Compression;
using System.Security.Cryptography;
using Google.Protobuf;
using MlNetTransfer.Backbones;
using Onnx;

namespace MlNetTransfer.Model;

/// <summary>
/// The ONNX graph a model.zip runs (pixels → features → head → logits), read from the zip itself, so that everything
/// that uses a model (the predictors, <c>predict</c>, <c>evaluate</c>, <c>export</c>, <c>serve</c>) runs the very graph
/// ML.NET runs: no backbone file, calibration or head is looked up again. ML.NET feeds one image at a time, so the
/// stored graph is unbatched; <see cref="Batched"/> gives the same nodes and weights with a batch dimension.
/// </summary>
internal sealed class SavedGraph
{
    private readonly ModelProto _batched;

    /// <summary>The predictors' output: the logits, then (when the model has them) the novelty and the unknown flag (1 or 0), [N, <see cref="AnswerSize"/>].</summary>
    public const string AnswerOutput = "Answer";

    private SavedGraph(ModelProto batched, int side, int featureSize, int classCount, bool hasNovelty)
    {
        _batched = batched;
        Side = side;
        FeatureSize = featureSize;
        ClassCount = classCount;
        HasNovelty = hasNovelty;
    }

    /// <summary>The pixels' side: the input is [N, 3, Side, Side] planar RGB in 0..255.</summary>
    public int Side { get; }
    public int FeatureSize { get; }
    public int ClassCount { get; }

    /// <summary>Whether the graph computes the novelty and the unknown flag (models before 0.3 do not).</summary>
    public bool HasNovelty { get; }

    /// <summary>Values per image of <see cref="AnswerOutput"/>: the logits, then the novelty and the flag when the graph has them.</summary>
    public int AnswerSize => ClassCount + (HasNovelty ? 2 : 0);

    /// <summary>Reads the graph of the model at <paramref name="modelPath"/>.</summary>
    /// <exception cref="ModelLoadException">The zip holds no such graph, or one of another shape.</exception>
    public static SavedGraph Read(string modelPath, int classCount)
    {
        byte[] stored = ReadStored(modelPath);
        try
        {
            return Batch(ModelProto.Parser.ParseFrom(stored), classCount, modelPath);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelLoadException(modelPath, $"its ONNX graph is damaged ({e.Message})", e);
        }
    }

    /// <summary>The graph's bytes as the zip stores them (unbatched, as ML.NET runs them).</summary>
    /// <exception cref="ModelLoadException">The zip holds no graph, or a damaged one.</exception>
    public static byte[] ReadStored(string modelPath)
    {
        try
        {
            using var zip = ZipFile.OpenRead(modelPath);
            var entry = zip.Entries.SingleOrDefault(e => e.FullName.EndsWith(MlNetInternals.OnnxEntrySuffix, StringComparison.Ordinal))
                ?? throw new ModelLoadException(modelPath, "it holds no ONNX graph");
            using var stream = entry.Open();
            return MlNetInternals.ReadOnnxEntry(stream);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new ModelLoadException(modelPath, $"its ONNX graph is damaged ({e.Message})", e);
        }
    }

    /// <summary>The graph <see cref="ClassifierGraph.BuildMlNetGraph"/> made, before it is saved.</summary>
    public static SavedGraph Parse(byte[] graph, int classCount) => Batch(ModelProto.Parser.ParseFrom(graph), classCount, "(the graph being saved)");

    /// <summary>Pixels [N, 3, side, side] → <see cref="ClassifierGraph.LogitsOutput"/> [N, C] and <see cref="FeatureGraph.FeaturesOutput"/> [N, F].</summary>
    public ModelProto Batched() => _batched.Clone();

    /// <summary>A session of <see cref="Batched"/> that gives each image's <see cref="AnswerOutput"/> row, on every core: what the predictors run.</summary>
    public Features.FeatureNetwork AnswerNetwork() =>
        new(WithAnswer().ToByteArray(), Side, AnswerOutput, AnswerSize, Environment.ProcessorCount);

    /// <summary>The part that makes the features: pixels → <see cref="FeatureGraph.FeaturesOutput"/> [N, F].</summary>
    public byte[] FeaturesPart() => Part(_batched, FeatureGraph.FeaturesOutput, FeatureGraph.PixelsInput);

    /// <summary>The head and the novelty: <see cref="FeatureGraph.FeaturesOutput"/> [N, F] → <see cref="AnswerOutput"/> [N, <see cref="AnswerSize"/>].</summary>
    public byte[] HeadPart() => Part(WithAnswer(), AnswerOutput, FeatureGraph.FeaturesOutput);

    /// <summary><see cref="Batched"/> with <see cref="AnswerOutput"/>: the logits, novelty and flag side by side, so that one output of one session answers.</summary>
    public ModelProto WithAnswer()
    {
        var model = _batched.Clone();
        var editor = OnnxGraphEditor.Wrap(model, namePrefix: "answer/");
        if (!HasNovelty)
            editor.Node("Identity", [ClassifierGraph.LogitsOutput], AnswerOutput);
        else
        {
            string novelty = editor.Reshape(Confidence.NoveltyDetector.NoveltyOutput, [-1, 1]);
            string flag = editor.Node("Cast", [Confidence.NoveltyDetector.UnknownOutput], null, OnnxGraphEditor.Int("to", (int)TensorProto.Types.DataType.Float));
            editor.Node("Concat", [ClassifierGraph.LogitsOutput, novelty, editor.Reshape(flag, [-1, 1])], AnswerOutput, OnnxGraphEditor.Int("axis", 1));
        }
        model.Graph.Output.Add(Value(AnswerOutput, AnswerSize));
        return model;
    }

    private static byte[] Part(ModelProto whole, string output, string input)
    {
        var part = whole.Clone();
        part.MetadataProps.Clear(); // the class names: a feature part keys its features whatever the head
        part.DocString = "";
        var g = part.Graph;
        var nodes = OnnxGraphEditor.NodesNeededFor(g, output, stopAt: input);
        var used = nodes.SelectMany(n => n.Input).ToHashSet();
        var initializers = g.Initializer.Where(i => used.Contains(i.Name)).ToList();
        var inputInfo = input == FeatureGraph.PixelsInput ? g.Input.Single(i => i.Name == input) : g.Output.Single(o => o.Name == input).Clone();
        var outputInfo = g.Output.Single(o => o.Name == output);
        g.Node.Clear(); g.Node.AddRange(nodes);
        g.Initializer.Clear(); g.Initializer.AddRange(initializers);
        g.Input.Clear(); g.Input.Add(inputInfo);
        g.Output.Clear(); g.Output.Add(outputInfo);
        g.ValueInfo.Clear();
        return part.ToByteArray();
    }

    // The stored graph reshapes its one image to [1, 3, side, side] first and its logits to [C] last (ClassifierGraph);
    // those two shapes get a batch dimension, and the features become an output too.
    private static SavedGraph Batch(ModelProto model, int classCount, string modelPath)
    {
        var g = model.Graph;
        var pixels = g.Input.SingleOrDefault(i => i.Name == FeatureGraph.PixelsInput)
            ?? throw new ModelLoadException(modelPath, $"its ONNX graph has no input {FeatureGraph.PixelsInput}");
        var dims = pixels.Type.TensorType.Shape.Dim;
        if (dims.Count != 3 || dims[0].DimValue != 3)
            throw new ModelLoadException(modelPath, $"its ONNX graph's input {FeatureGraph.PixelsInput} is not one image [3, side, side]");
        int side = (int)dims[1].DimValue;
        var toBatch = ShapeOf(g, g.Node.SingleOrDefault(n => n.OpType == "Reshape" && n.Input[0] == FeatureGraph.PixelsInput), [1, 3, side, side])
            ?? throw new ModelLoadException(modelPath, "its ONNX graph does not start by reshaping one image");
        var logits = g.Node.SingleOrDefault(n => n.Output.Contains(ClassifierGraph.LogitsOutput));
        var toVector = ShapeOf(g, logits?.OpType == "Reshape" ? logits : null, [classCount])
            ?? throw new ModelLoadException(modelPath, $"its ONNX graph does not end in {classCount} logits");
        toBatch.Int64Data[0] = -1;
        toVector.Int64Data.Clear();
        toVector.Int64Data.AddRange([-1, classCount]);
        toVector.Dims.Clear();
        toVector.Dims.Add(2);
        dims.Insert(0, new TensorShapeProto.Types.Dimension { DimParam = OnnxGraphEditor.BatchDim });
        var features = g.Node.SingleOrDefault(n => n.Output.Contains(FeatureGraph.FeaturesOutput))
            ?? throw new ModelLoadException(modelPath, $"its ONNX graph has no {FeatureGraph.FeaturesOutput}");
        int featureSize = FeatureSizeOf(g, features);
        // The novelty ends in a Reshape to [-1]: one value per image whatever the batch.
        bool hasNovelty = g.Output.Any(o => o.Name == Confidence.NoveltyDetector.NoveltyOutput);
        g.Output.Clear();
        g.Output.Add(Value(ClassifierGraph.LogitsOutput, classCount));
        g.Output.Add(Value(FeatureGraph.FeaturesOutput, featureSize));
        if (hasNovelty)
        {
            g.Output.Add(Value(Confidence.NoveltyDetector.NoveltyOutput, null));
            g.Output.Add(Value(Confidence.NoveltyDetector.UnknownOutput, null, TensorProto.Types.DataType.Bool));
        }
        g.ValueInfo.Clear(); // shapes inferred for one image would contradict the batch
        return new SavedGraph(model, side, featureSize, classCount, hasNovelty);
    }

    // The shape initializer of a Reshape, when it is the one expected.
    private static TensorProto? ShapeOf(GraphProto g, NodeProto? reshape, long[] expected)
    {
        if (reshape is null || reshape.Input.Count < 2) return null;
        var shape = g.Initializer.SingleOrDefault(i => i.Name == reshape.Input[1]);
        return shape is not null && shape.Int64Data.SequenceEqual(expected) ? shape : null;
    }

    // The head's first Gemm takes the features: its weight [256, F] (transB) names F.
    private static int FeatureSizeOf(GraphProto g, NodeProto features)
    {
        var gemm = g.Node.FirstOrDefault(n => n.OpType == "Gemm" && n.Input[0] == FeatureGraph.FeaturesOutput);
        var weights = gemm is null ? null : g.Initializer.SingleOrDefault(i => i.Name == gemm.Input[1]);
        return weights is { Dims.Count: 2 } ? (int)weights.Dims[1] : throw new InvalidDataException($"The graph's {features.Name} feeds no Gemm head.");
    }

    // [N, size], or [N] without a size.
    private static ValueInfoProto Value(string name, int? size, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = OnnxGraphEditor.BatchDim });
        if (size is { } s) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = s });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}
