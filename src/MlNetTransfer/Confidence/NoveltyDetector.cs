using Onnx;
using MlNetTransfer.Backbones;
using MlNetTransfer.Training;

namespace MlNetTransfer.Confidence;

/// <summary>
/// How the saved model scores an image's novelty from its features. docs/unknown-images.md compares k-NN with the
/// methods measured and not kept (the nearest class mean, Mahalanobis).
/// </summary>
public enum NoveltyMethod
{
    /// <summary>No novelty output.</summary>
    None,
    /// <summary>1 − the mean cosine similarity to the <see cref="TrainSettings.NoveltyNeighbours"/> nearest training images (the raw features, not centred).</summary>
    Knn,
}

/// <summary>The novelty part of a saved model: its method and the threshold above which an image is flagged unknown (metrics.json's <c>novelty</c>).</summary>
/// <param name="ValidationFlagged">Share of the validation images flagged at the threshold.</param>
/// <param name="ReferenceImages">Training images whose features the graph holds.</param>
internal sealed record NoveltySummary(NoveltyMethod Method, int Neighbours, double Threshold, double ValidationFlagged, int ReferenceImages);

/// <summary>
/// k-NN novelty on the training images' features, computed in C# (for the threshold and the reports) and
/// appended to the saved graph as ONNX (so every app that loads the model gets it): output
/// <see cref="NoveltyOutput"/> (the score) and <see cref="UnknownOutput"/> (score above the threshold).
/// </summary>
internal sealed class NoveltyDetector
{
    public const string NoveltyOutput = "Novelty";
    public const string UnknownOutput = "Unknown";

    /// <summary>Share of the validation images the threshold flags.</summary>
    public const double FlaggedShare = 0.05;

    private readonly float[] _reference;   // [F, R]: the unit-length training features (uncentred), one per column

    private NoveltyDetector(int neighbours, float[] reference, int featureSize, int images)
    {
        Neighbours = neighbours;
        _reference = reference;
        FeatureSize = featureSize;
        ReferenceImages = images;
    }

    public int Neighbours { get; }
    public int ReferenceImages { get; }
    public int FeatureSize { get; }
    public float Threshold { get; private set; }

    /// <summary>
    /// Keeps <paramref name="train"/>'s features (evenly spaced, at most <see cref="MaxReferenceImages"/>) and sets the
    /// threshold so that about <see cref="FlaggedShare"/> of <paramref name="validation"/> is flagged (its 95th
    /// percentile of novelty).
    /// </summary>
    public static NoveltyDetector Fit(FeatureSet train, FeatureSet validation, int neighbours)
    {
        int f = train.Dimension, r = Math.Min(train.Count, MaxReferenceImages);
        // Uncentred, as Sun et al. (2022) normalise the penultimate features: centred, a far image's displacement
        // from the mean points where the training set's own odd images do (measured: AUROC 0.30 on digits).
        var reference = new float[f * r];
        int j = 0;
        foreach (int i in EvenlySpaced(train.Count, MaxReferenceImages))
        {
            var x = train.Row(i).ToArray();
            float norm = MathF.Sqrt(Dot(x, x) + Epsilon);
            for (int k = 0; k < f; k++) reference[k * r + j] = x[k] / norm;
            j++;
        }
        var detector = new NoveltyDetector(Math.Clamp(neighbours, 1, r), reference, f, r);
        var scores = Enumerable.Range(0, validation.Count).Select(i => detector.Score(validation.Row(i))).Order().ToArray();
        detector.Threshold = (float)Percentile(scores, 1 - FlaggedShare);
        return detector;
    }

    public NoveltySummary Summary(IReadOnlyList<float> validationScores) =>
        new(NoveltyMethod.Knn, Neighbours, Threshold, validationScores.Count == 0 ? 0 : validationScores.Count(s => s > Threshold) / (double)validationScores.Count, ReferenceImages);

    /// <summary>The novelty of one raw feature vector, as the graph computes it.</summary>
    public float Score(ReadOnlySpan<float> features)
    {
        var x = features[..FeatureSize].ToArray();
        float norm = MathF.Sqrt(Dot(x, x) + Epsilon);
        for (int k = 0; k < x.Length; k++) x[k] /= norm;
        var similarities = new float[ReferenceImages];
        MultiplyRow(x, _reference, similarities);
        return 1 - similarities.OrderDescending().Take(Neighbours).Average();
    }

    /// <summary>
    /// Appends the novelty to a graph whose <paramref name="features"/> are [N, F]: outputs <see cref="NoveltyOutput"/>
    /// and <see cref="UnknownOutput"/> as [N] (one value each per image). Only operators whose form is the same from
    /// opset 8 to 17 are used, and TopK in the form of <paramref name="opset"/>.
    /// </summary>
    public void AppendTo(OnnxGraphEditor editor, string features, long opset)
    {
        int f = FeatureSize;
        string squares = editor.Node("MatMul", [editor.Node("Mul", [features, features]), editor.FloatConstant("novelty_ones", Enumerable.Repeat(1f, f).ToArray(), f, 1)]);
        string norm = editor.Node("Sqrt", [editor.Node("Add", [squares, editor.FloatConstant("novelty_epsilon", [Epsilon], 1)])]);
        string similarity = editor.Node("MatMul", [editor.Node("Div", [features, norm]), editor.FloatConstant("novelty_reference", _reference, f, ReferenceImages)]);
        string top = TopK(editor, similarity, Neighbours, opset);
        string mean = editor.Node("MatMul", [top, editor.FloatConstant("novelty_mean", Enumerable.Repeat(1f / Neighbours, Neighbours).ToArray(), Neighbours, 1)]);
        string score = editor.Node("Sub", [editor.FloatConstant("novelty_one", [1f], 1), mean]);
        editor.Reshape(score, [-1], NoveltyOutput);
        editor.Node("Greater", [NoveltyOutput, editor.FloatConstant("novelty_threshold", [Threshold], 1)], UnknownOutput);
    }

    /// <summary>
    /// Most training images whose features a k-NN graph holds: 2 KB each for 512 features, so at most 10 MB beside
    /// the backbone's 45 MB; larger sets keep evenly spaced images of their (class-ordered) list.
    /// </summary>
    public const int MaxReferenceImages = 5000;

    private static IEnumerable<int> EvenlySpaced(int count, int most) =>
        count <= most ? Enumerable.Range(0, count) : Enumerable.Range(0, most).Select(i => (int)((long)i * count / most));

    // Avoids a zero length for an image whose features are all zero.
    private const float Epsilon = 1e-12f;

    // The k largest along axis 1 ([N, k]); TopK takes k as an attribute before opset 10 and as an input after.
    private static string TopK(OnnxGraphEditor editor, string input, int k, long opset)
    {
        string output = opset < 10
            ? editor.Node("TopK", [input], null, OnnxGraphEditor.Int("axis", 1), OnnxGraphEditor.Int("k", k))
            : editor.Node("TopK", [input, editor.Int64Constant($"novelty_k{k}", [k], 1)], null, OnnxGraphEditor.Int("axis", 1));
        editor.Graph.Node[^1].Output.Add(output + "_indices");
        return output;
    }

    /// <summary>The value below which a share <paramref name="q"/> of the sorted <paramref name="sorted"/> lies (linear interpolation).</summary>
    internal static double Percentile(IReadOnlyList<float> sorted, double q)
    {
        if (sorted.Count == 0) return double.PositiveInfinity;
        double position = q * (sorted.Count - 1);
        int low = (int)Math.Floor(position), high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }

    private static float Dot(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    // y = x · M with M row-major [x.Length, y.Length].
    private static void MultiplyRow(float[] x, float[] m, float[] y)
    {
        int columns = y.Length;
        Array.Clear(y);
        for (int k = 0; k < x.Length; k++)
            if (x[k] != 0) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(m.AsSpan(k * columns, columns), x[k], y, y);
    }
}
