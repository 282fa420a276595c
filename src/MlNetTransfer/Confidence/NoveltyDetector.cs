using Onnx;
using MlNetTransfer.Backbones;
using MlNetTransfer.Training;

namespace MlNetTransfer.Confidence;

/// <summary>How the saved model scores an image's novelty from its features (docs/unknown-images.md compares them).</summary>
public enum NoveltyMethod
{
    /// <summary>No novelty output.</summary>
    None,
    /// <summary>1 − the mean cosine similarity to the <see cref="TrainSettings.NoveltyNeighbours"/> nearest training images (the raw features, not centred).</summary>
    Knn,
    /// <summary>1 − the cosine similarity to the nearest class mean (features centred on the training mean).</summary>
    ClassMean,
    /// <summary>The squared Mahalanobis distance to the nearest class mean under a shared covariance shrunk towards a multiple of the identity (Ledoit-Wolf), divided by the feature size.</summary>
    Mahalanobis,
}

/// <summary>The novelty part of a saved model: its method and the threshold above which an image is flagged unknown (metrics.json's <c>novelty</c>).</summary>
/// <param name="ValidationFlagged">Share of the validation images flagged at the threshold.</param>
/// <param name="ReferenceImages">Training images whose features the graph holds (k-NN) or that made its statistics.</param>
internal sealed record NoveltySummary(NoveltyMethod Method, int Neighbours, double Threshold, double ValidationFlagged, int ReferenceImages);

/// <summary>
/// A novelty score fitted on the training images' features, computed in C# (for the threshold and the reports) and
/// appended to the saved graph as ONNX (so every app that loads the model gets it): output
/// <see cref="NoveltyOutput"/> (the score) and <see cref="UnknownOutput"/> (score above the threshold).
/// </summary>
internal sealed class NoveltyDetector
{
    public const string NoveltyOutput = "Novelty";
    public const string UnknownOutput = "Unknown";

    /// <summary>Share of the validation images the threshold flags.</summary>
    public const double FlaggedShare = 0.05;

    private readonly float[] _center;      // [F] subtracted first (zeros for k-NN)
    private readonly float[] _reference;   // [F, R]: unit-length training features (k-NN, uncentred) or centred class means (cosine), or whitened class means
    private readonly float[] _referenceSquares; // [R] squared length of each whitened mean (Mahalanobis)
    private readonly float[]? _whitening;  // [F, F]: x·W has identity covariance (Mahalanobis)
    private readonly int _columns;

    private NoveltyDetector(NoveltyMethod method, int neighbours, float[] center, float[] reference, int columns, float[]? whitening, float[] referenceSquares, int images)
    {
        Method = method;
        Neighbours = neighbours;
        _center = center;
        _reference = reference;
        _columns = columns;
        _whitening = whitening;
        _referenceSquares = referenceSquares;
        ReferenceImages = images;
    }

    public NoveltyMethod Method { get; }
    public int Neighbours { get; }
    public int ReferenceImages { get; }
    public int FeatureSize => _center.Length;
    public float Threshold { get; private set; }

    /// <summary>
    /// Fits the method on <paramref name="train"/>'s features and sets the threshold so that about
    /// <see cref="FlaggedShare"/> of <paramref name="validation"/> is flagged (its 95th percentile of novelty).
    /// </summary>
    public static NoveltyDetector Fit(FeatureSet train, int classCount, FeatureSet validation, NoveltyMethod method, int neighbours)
    {
        if (method == NoveltyMethod.None) throw new ArgumentException("No novelty method to fit.", nameof(method));
        int f = train.Dimension, n = train.Count;
        var center = new float[f];
        for (int i = 0; i < n; i++) Add(center, train.Row(i), 1f / n);
        var detector = method switch
        {
            // Uncentred, as Sun et al. (2022) normalise the penultimate features: centred, a far image's displacement
            // from the mean points where the training set's own odd images do (measured: AUROC 0.30 on digits).
            NoveltyMethod.Knn => Cosine(method, Math.Clamp(neighbours, 1, Math.Min(n, MaxReferenceImages)), new float[f], EvenlySpaced(n, MaxReferenceImages).Select(i => train.Row(i).ToArray()).ToList(), Math.Min(n, MaxReferenceImages)),
            NoveltyMethod.ClassMean => Cosine(method, 1, center, ClassMeans(train, classCount), n),
            NoveltyMethod.Mahalanobis => Mahalanobis(train, classCount, center),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
        };
        var scores = Enumerable.Range(0, validation.Count).Select(i => detector.Score(validation.Row(i))).Order().ToArray();
        detector.Threshold = (float)Percentile(scores, 1 - FlaggedShare);
        return detector;
    }

    public NoveltySummary Summary(IReadOnlyList<float> validationScores) =>
        new(Method, Method == NoveltyMethod.Knn ? Neighbours : 0, Threshold, validationScores.Count == 0 ? 0 : validationScores.Count(s => s > Threshold) / (double)validationScores.Count, ReferenceImages);

    /// <summary>The novelty of one raw feature vector, as the graph computes it.</summary>
    public float Score(ReadOnlySpan<float> features)
    {
        int f = FeatureSize;
        var x = new float[f];
        for (int k = 0; k < f; k++) x[k] = features[k] - _center[k];
        var products = new float[_columns];
        if (_whitening is null)
        {
            float norm = MathF.Sqrt(Dot(x, x) + Epsilon);
            for (int k = 0; k < f; k++) x[k] /= norm;
            MultiplyRow(x, _reference, products);
            var top = products.OrderDescending().Take(Neighbours).ToArray();
            return 1 - top.Average();
        }
        var z = new float[f];
        MultiplyRow(x, _whitening, z);
        MultiplyRow(z, _reference, products);
        float zz = Dot(z, z), best = float.MaxValue;
        for (int c = 0; c < _columns; c++) best = Math.Min(best, zz - 2 * products[c] + _referenceSquares[c]);
        return best / f;
    }

    /// <summary>
    /// Appends the novelty to a graph whose <paramref name="features"/> are [N, F]: outputs <see cref="NoveltyOutput"/>
    /// and <see cref="UnknownOutput"/> as [N] (one value each per image). Only operators whose form is the same from
    /// opset 8 to 17 are used, and TopK/ReduceMax in the form of <paramref name="opset"/>.
    /// </summary>
    public void AppendTo(OnnxGraphEditor editor, string features, long opset)
    {
        int f = FeatureSize;
        string x = editor.Node("Sub", [features, editor.FloatConstant("novelty_center", _center, 1, f)]);
        string score;
        if (_whitening is null)
        {
            string squares = editor.Node("MatMul", [editor.Node("Mul", [x, x]), editor.FloatConstant("novelty_ones", Enumerable.Repeat(1f, f).ToArray(), f, 1)]);
            string norm = editor.Node("Sqrt", [editor.Node("Add", [squares, editor.FloatConstant("novelty_epsilon", [Epsilon], 1)])]);
            string similarity = editor.Node("MatMul", [editor.Node("Div", [x, norm]), editor.FloatConstant("novelty_reference", _reference, f, _columns)]);
            string top = TopK(editor, similarity, Neighbours, opset);
            string mean = editor.Node("MatMul", [top, editor.FloatConstant("novelty_mean", Enumerable.Repeat(1f / Neighbours, Neighbours).ToArray(), Neighbours, 1)]);
            score = editor.Node("Sub", [editor.FloatConstant("novelty_one", [1f], 1), mean]);
        }
        else
        {
            string z = editor.Node("MatMul", [x, editor.FloatConstant("novelty_whitening", _whitening, f, f)]);
            string zz = editor.Node("MatMul", [editor.Node("Mul", [z, z]), editor.FloatConstant("novelty_ones", Enumerable.Repeat(1f, f).ToArray(), f, 1)]);
            string cross = editor.Node("MatMul", [z, editor.FloatConstant("novelty_reference", _reference.Select(v => -2 * v).ToArray(), f, _columns)]);
            string distances = editor.Node("Add", [editor.Node("Add", [cross, zz]), editor.FloatConstant("novelty_mean_squares", _referenceSquares, 1, _columns)]);
            // The nearest class: the largest of the negated distances.
            string nearest = TopK(editor, editor.Node("Neg", [distances]), 1, opset);
            score = editor.Node("Div", [editor.Node("Neg", [nearest]), editor.FloatConstant("novelty_size", [f], 1)]);
        }
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

    // Avoids a zero length for an image whose features equal the training mean.
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

    private static NoveltyDetector Cosine(NoveltyMethod method, int neighbours, float[] center, List<float[]> rows, int images)
    {
        int f = center.Length, r = rows.Count;
        var reference = new float[f * r];
        for (int j = 0; j < r; j++)
        {
            var x = rows[j].Select((v, k) => v - center[k]).ToArray();
            float norm = MathF.Sqrt(Dot(x, x) + Epsilon);
            for (int k = 0; k < f; k++) reference[k * r + j] = x[k] / norm;
        }
        return new NoveltyDetector(method, neighbours, center, reference, r, null, [], images);
    }

    // Σ = (1 − α) S + α (tr S / F) I with S the within-class covariance and α Ledoit-Wolf's; W = L⁻ᵀ where Σ = L Lᵀ,
    // so that ‖(x − μ)·W‖² is the squared Mahalanobis distance.
    private static NoveltyDetector Mahalanobis(FeatureSet train, int classCount, float[] center)
    {
        int f = train.Dimension, n = train.Count;
        var means = ClassMeans(train, classCount);
        var present = LabelsPresent(train, classCount); // means[j] is the mean of class present[j]
        var residuals = new double[n][];
        for (int i = 0; i < n; i++)
        {
            var mean = means[Array.IndexOf(present, train.Labels[i])];
            residuals[i] = new double[f];
            for (int k = 0; k < f; k++) residuals[i][k] = train.Row(i)[k] - mean[k];
        }
        var s = new double[f, f];
        foreach (var x in residuals)
            for (int a = 0; a < f; a++)
            {
                double xa = x[a] / n;
                if (xa == 0) continue;
                for (int b = 0; b <= a; b++) s[a, b] += xa * x[b];
            }
        for (int a = 0; a < f; a++) for (int b = 0; b < a; b++) s[b, a] = s[a, b];
        double mu = Enumerable.Range(0, f).Sum(k => s[k, k]) / f;
        double delta = 0;
        for (int a = 0; a < f; a++) for (int b = 0; b < f; b++) { double d = s[a, b] - (a == b ? mu : 0); delta += d * d; }
        // β = (1/n²) Σᵢ ‖xᵢxᵢᵀ − S‖² = (1/n²) Σᵢ (‖xᵢ‖⁴ − 2 xᵢᵀ S xᵢ + ‖S‖²)
        double sNorm = 0;
        for (int a = 0; a < f; a++) for (int b = 0; b < f; b++) sNorm += s[a, b] * s[a, b];
        double beta = 0;
        var sx = new double[f];
        foreach (var x in residuals)
        {
            double xx = x.Sum(v => v * v), xsx = 0;
            for (int a = 0; a < f; a++) { double sum = 0; for (int b = 0; b < f; b++) sum += s[a, b] * x[b]; xsx += x[a] * sum; }
            beta += xx * xx - 2 * xsx + sNorm;
        }
        beta /= (double)n * n;
        double alpha = delta <= 0 ? 1 : Math.Clamp(beta / delta, 1e-3, 1);
        for (int a = 0; a < f; a++) for (int b = 0; b < f; b++) s[a, b] = (1 - alpha) * s[a, b] + (a == b ? alpha * mu : 0);
        var inverse = InverseCholeskyFactor(s, f); // L⁻¹
        var whitening = new float[f * f]; // W[k, j] = L⁻¹[j, k]
        for (int j = 0; j < f; j++) for (int k = 0; k < f; k++) whitening[k * f + j] = (float)inverse[j, k];
        int c = means.Count;
        var reference = new float[f * c];
        var squares = new float[c];
        for (int j = 0; j < c; j++)
        {
            var m = means[j].Select((v, k) => v - center[k]).ToArray();
            var z = new float[f];
            MultiplyRow(m, whitening, z);
            for (int k = 0; k < f; k++) reference[k * c + j] = z[k];
            squares[j] = Dot(z, z);
        }
        return new NoveltyDetector(NoveltyMethod.Mahalanobis, 1, center, reference, c, whitening, squares, n);
    }

    private static double[,] InverseCholeskyFactor(double[,] a, int f)
    {
        var l = new double[f, f];
        for (int j = 0; j < f; j++)
        {
            double d = a[j, j];
            for (int k = 0; k < j; k++) d -= l[j, k] * l[j, k];
            l[j, j] = Math.Sqrt(Math.Max(d, 1e-12));
            for (int i = j + 1; i < f; i++)
            {
                double v = a[i, j];
                for (int k = 0; k < j; k++) v -= l[i, k] * l[j, k];
                l[i, j] = v / l[j, j];
            }
        }
        var inv = new double[f, f]; // lower triangular
        for (int j = 0; j < f; j++)
        {
            inv[j, j] = 1 / l[j, j];
            for (int i = j + 1; i < f; i++)
            {
                double v = 0;
                for (int k = j; k < i; k++) v -= l[i, k] * inv[k, j];
                inv[i, j] = v / l[i, i];
            }
        }
        return inv;
    }

    private static int[] LabelsPresent(FeatureSet set, int classCount) => Enumerable.Range(0, classCount).Where(c => set.Labels.Contains(c)).ToArray();

    private static List<float[]> ClassMeans(FeatureSet train, int classCount) =>
        LabelsPresent(train, classCount).Select(c =>
        {
            var rows = Enumerable.Range(0, train.Count).Where(i => train.Labels[i] == c).ToList();
            var mean = new float[train.Dimension];
            foreach (var i in rows) Add(mean, train.Row(i), 1f / rows.Count);
            return mean;
        }).ToList();

    /// <summary>The value below which a share <paramref name="q"/> of the sorted <paramref name="sorted"/> lies (linear interpolation).</summary>
    internal static double Percentile(IReadOnlyList<float> sorted, double q)
    {
        if (sorted.Count == 0) return double.PositiveInfinity;
        double position = q * (sorted.Count - 1);
        int low = (int)Math.Floor(position), high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }

    private static void Add(float[] sum, ReadOnlySpan<float> row, float weight)
    {
        for (int k = 0; k < sum.Length; k++) sum[k] += row[k] * weight;
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
