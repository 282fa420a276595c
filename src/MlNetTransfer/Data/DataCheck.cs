using System.Numerics.Tensors;

namespace MlNetTransfer.Data;

/// <summary>Two images that look the same to the backbone.</summary>
internal sealed record DuplicatePair(string First, string Second, double Similarity, bool Exact);

/// <summary>An image whose nearest neighbours all carry another label.</summary>
internal sealed record SuspectLabel(string Path, string Label, string NeighboursLabel, double MeanSimilarity);

/// <summary>An image far from every class.</summary>
internal sealed record Outlier(string Path, string Label, double BestClassSimilarity, double Threshold);

/// <summary>What the data check found. Nothing is dropped: these are for a person to look at.</summary>
internal sealed class DataCheckReport
{
    /// <summary>The most similar duplicate pairs, most similar first (at most <see cref="DataCheck.MaxListedPairs"/>).</summary>
    public required IReadOnlyList<DuplicatePair> Duplicates { get; init; }
    /// <summary>Every duplicate pair found, listed or not.</summary>
    public required int DuplicateCount { get; init; }
    /// <summary>Duplicates with one image in training and one in validation: validation is not independent (the most similar, at most <see cref="DataCheck.MaxListedPairs"/>).</summary>
    public required IReadOnlyList<DuplicatePair> TrainValidationLeaks { get; init; }
    /// <summary>Every train/validation duplicate pair found, listed or not.</summary>
    public required int TrainValidationLeakCount { get; init; }
    public required IReadOnlyList<SuspectLabel> LikelyMislabelled { get; init; }
    public required IReadOnlyList<Outlier> Outliers { get; init; }
    public int Findings => DuplicateCount + TrainValidationLeakCount + LikelyMislabelled.Count + Outliers.Count;
}

/// <summary>A labelled image and its backbone features, as the data check sees it.</summary>
internal sealed record CheckedImage(string Path, int Label, bool IsValidation, float[] Features);

/// <summary>
/// Looks at the cached features before training for exact and near duplicates, the same image in training and
/// validation, images whose nearest neighbours all carry another label, and images far from every class.
/// Cosine similarity on the backbone's features; quadratic in the number of images (skipped above <see cref="MaxImages"/>).
/// </summary>
internal static class DataCheck
{
    public const int MaxImages = 20_000;
    public const double NearDuplicateSimilarity = 0.97;
    public const int Neighbours = 5;

    /// <summary>
    /// Most duplicate pairs listed (the most similar); the counts include the rest. A folder of many near copies has
    /// pairs quadratic in their number (29,000 among 5,000 variants of 400 photos), which cost more memory in the
    /// report than everything else in a training run.
    /// </summary>
    public const int MaxListedPairs = 1000;

    public static DataCheckReport Run(IReadOnlyList<CheckedImage> images, IReadOnlyList<string> classes)
    {
        int n = images.Count;
        if (n == 0 || n > MaxImages)
            return new DataCheckReport { Duplicates = [], DuplicateCount = 0, TrainValidationLeaks = [], TrainValidationLeakCount = 0, LikelyMislabelled = [], Outliers = [] };
        int d = images[0].Features.Length;
        var unit = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            var row = unit.AsSpan(i * d, d);
            images[i].Features.CopyTo(row);
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0) TensorPrimitives.Divide(row, norm, row);
        }
        float Similarity(int i, int j) => TensorPrimitives.Dot(unit.AsSpan(i * d, d), unit.AsSpan(j * d, d));

        var pairs = new List<(int First, int Second, float Similarity)>();
        var neighbours = new List<(int Index, float Similarity)>[n];
        for (int i = 0; i < n; i++) neighbours[i] = [];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                float s = Similarity(i, j);
                Keep(neighbours[i], (j, s));
                Keep(neighbours[j], (i, s));
                if (s >= NearDuplicateSimilarity) pairs.Add((i, j, s));
            }
        pairs.Sort((x, y) => y.Similarity.CompareTo(x.Similarity));
        var leakPairs = pairs.Where(p => images[p.First].IsValidation != images[p.Second].IsValidation).ToList();
        DuplicatePair Listed((int First, int Second, float Similarity) p) => new(images[p.First].Path, images[p.Second].Path, p.Similarity,
            images[p.First].Features.AsSpan().SequenceEqual(images[p.Second].Features));

        var mislabelled = new List<SuspectLabel>();
        for (int i = 0; i < n; i++)
        {
            var near = neighbours[i];
            if (near.Count < Neighbours) continue;
            int other = images[near[0].Index].Label;
            if (other != images[i].Label && near.All(x => images[x.Index].Label == other))
                mislabelled.Add(new SuspectLabel(images[i].Path, classes[images[i].Label], classes[other], near.Average(x => x.Similarity)));
        }

        return new DataCheckReport
        {
            Duplicates = pairs.Take(MaxListedPairs).Select(Listed).ToList(),
            DuplicateCount = pairs.Count,
            TrainValidationLeaks = leakPairs.Take(MaxListedPairs).Select(Listed).ToList(),
            TrainValidationLeakCount = leakPairs.Count,
            LikelyMislabelled = mislabelled,
            Outliers = FindOutliers(images, classes, unit, d),
        };
    }

    // Keeps the Neighbours most similar, most similar first.
    private static void Keep(List<(int Index, float Similarity)> list, (int Index, float Similarity) candidate)
    {
        if (list.Count == Neighbours && candidate.Similarity <= list[^1].Similarity) return;
        int at = list.FindIndex(x => candidate.Similarity > x.Similarity);
        list.Insert(at < 0 ? list.Count : at, candidate);
        if (list.Count > Neighbours) list.RemoveAt(list.Count - 1);
    }

    // An outlier is less similar to every class centre than nearly all of that class's own members are
    // (below the class's mean minus three standard deviations of member-to-centre similarity).
    private static List<Outlier> FindOutliers(IReadOnlyList<CheckedImage> images, IReadOnlyList<string> classes, float[] unit, int d)
    {
        int c = classes.Count;
        var centres = new float[c][];
        var thresholds = new double[c];
        for (int k = 0; k < c; k++)
        {
            var members = Enumerable.Range(0, images.Count).Where(i => images[i].Label == k).ToList();
            centres[k] = new float[d];
            foreach (var i in members) TensorPrimitives.Add(centres[k], unit.AsSpan(i * d, d), centres[k]);
            float norm = TensorPrimitives.Norm(centres[k]);
            if (norm > 0) TensorPrimitives.Divide(centres[k], norm, centres[k]);
            var sims = members.Select(i => (double)TensorPrimitives.Dot(centres[k], unit.AsSpan(i * d, d))).ToList();
            if (sims.Count < 5) { thresholds[k] = double.NegativeInfinity; continue; }
            double mean = sims.Average(), sd = Math.Sqrt(sims.Sum(s => (s - mean) * (s - mean)) / sims.Count);
            thresholds[k] = mean - 3 * sd;
        }
        var outliers = new List<Outlier>();
        for (int i = 0; i < images.Count; i++)
        {
            var sims = Enumerable.Range(0, c).Select(k => (double)TensorPrimitives.Dot(centres[k], unit.AsSpan(i * d, d))).ToArray();
            if (Enumerable.Range(0, c).All(k => sims[k] < thresholds[k]))
                outliers.Add(new Outlier(images[i].Path, classes[images[i].Label], sims.Max(), thresholds[images[i].Label]));
        }
        return outliers.OrderBy(o => o.BestClassSimilarity).ToList();
    }
}
