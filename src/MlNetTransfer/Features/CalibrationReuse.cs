using System.Text.Json;
using MlNetTransfer.Data;
using MlNetTransfer.IO;

namespace MlNetTransfer.Features;

/// <summary>
/// Keeps an int8 calibration in use while the images it was made from are still in the data set, so that adding
/// training images costs one extraction each in int8 as in fp32. Without it, new images change which ones are spread
/// over for calibration, so the next run calibrates again and every image's int8 features change (a full extraction).
/// Each calibration is stored with a list of its images (full path for a file, none for in-memory bytes; content hash
/// for both) and the number of training images it was chosen from. A later run on other images takes a stored
/// calibration when its images are all still there with the same contents, every class a fresh calibration would draw
/// from has an image among them (so a new class is not left out), and the training images are at most
/// <see cref="MaxGrowth"/> times as many as then (so that a set that has grown well past its first calibration gets a
/// fresh one); among several, the largest, then the one used last. The figures then differ a little from those of a
/// fresh cache, which calibrates on the current images: metrics.json says which happened.
/// </summary>
internal static class CalibrationReuse
{
    /// <summary>How many times its training images a data set may grow to before its calibration is made again.</summary>
    public const int MaxGrowth = 2;

    private sealed record ImageEntry(string? Path, string Sha256);

    private sealed record Index(string Basis, int TrainingImages, IReadOnlyList<ImageEntry>? Images);

    private const string CalibrationPrefix = "int8-calibration-", IndexPrefix = "int8-calibrated-on-";

    /// <summary>The list of images of <paramref name="calibrationFile"/> (int8-calibration-KEY.json → int8-calibrated-on-KEY.json).</summary>
    public static string IndexFileName(string calibrationFile) => IndexPrefix + calibrationFile[CalibrationPrefix.Length..];

    /// <summary>
    /// Stores which images <paramref name="calibrationFile"/> was made from, unless stored already (called after the
    /// calibration is stored or read, so that an index always has its calibration, and calibrations made before this
    /// list existed get one).
    /// </summary>
    public static void Record(string folder, string calibrationFile, string basis, int trainingImages, IEnumerable<(LabelledImage Image, byte[] Hash)> images)
    {
        string name = IndexFileName(calibrationFile);
        if (CachedArtifact.TryGet(folder, name) is { } stored && Read(stored) is not null)
        {
            Touch(Path.Combine(folder, name)); // in use: it wins a tie against older ones
            return;
        }
        var list = new List<ImageEntry>();
        foreach (var (image, hash) in images)
        {
            string? path = image.Bytes is null ? FullPath(image.Path) : null;
            if (image.Bytes is null && path is null) return; // a file without a usable path: nothing to find it by later
            list.Add(new ImageEntry(path, Convert.ToHexStringLower(hash)));
        }
        CachedArtifact.Store(folder, name, JsonSerializer.SerializeToUtf8Bytes(new Index(basis, trainingImages, list), Json.Options)); // replaces an unreadable one
    }

    /// <summary>
    /// The stored calibration in <paramref name="folder"/>, made under <paramref name="basis"/> from at least
    /// <paramref name="atLeast"/> images, that <paramref name="training"/> (within <paramref name="present"/>, every
    /// image of the data set) may keep (see the class summary); null when there is none.
    /// </summary>
    /// <param name="classes">The labels a fresh calibration would draw images from: each must have one in a kept calibration.</param>
    /// <param name="knownHashes">Content hashes already computed, by full path.</param>
    public static byte[]? Find(string folder, string basis, IReadOnlyList<LabelledImage> training, IReadOnlyList<LabelledImage> present, int atLeast,
        IEnumerable<int> classes, IReadOnlyDictionary<string, byte[]> knownHashes, CancellationToken cancel)
    {
        var candidates = new List<(string File, Index Index, DateTime Used)>();
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder, IndexPrefix + "*.json"))
                if (CachedArtifact.TryGet(folder, Path.GetFileName(file)) is { } bytes && Read(bytes) is { Images: { } images } index
                    && index.Basis == basis && images.Count >= atLeast && training.Count <= MaxGrowth * (long)index.TrainingImages)
                    candidates.Add((file, index, File.GetLastWriteTimeUtc(file)));
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        if (candidates.Count == 0) return null;

        var filesByPath = new Dictionary<string, LabelledImage>(StringComparer.Ordinal);
        foreach (var image in present.Where(i => i.Bytes is null))
            if (FullPath(image.Path) is { } path) filesByPath.TryAdd(path, image);
        Dictionary<string, LabelledImage>? inMemory = null; // by content hash, computed once if a list names one
        var needed = classes.ToHashSet();
        foreach (var (file, index, _) in candidates.OrderByDescending(c => c.Index.Images!.Count).ThenByDescending(c => c.Used).ThenBy(c => c.File, StringComparer.Ordinal))
        {
            cancel.ThrowIfCancellationRequested();
            var entries = index.Images!;
            if (entries.Any(e => e.Path is not null && !filesByPath.ContainsKey(e.Path))) continue;
            if (inMemory is null && entries.Any(e => e.Path is null))
            {
                inMemory = new Dictionary<string, LabelledImage>(StringComparer.Ordinal);
                foreach (var image in present.Where(i => i.Bytes is not null)) inMemory.TryAdd(FeatureCache.ContentKey(image.Bytes!), image);
            }
            var images = entries.Select(e => e.Path is not null ? filesByPath[e.Path] : inMemory!.GetValueOrDefault(e.Sha256)).ToList();
            if (images.Any(i => i is null) || !needed.IsSubsetOf(images.Select(i => i!.Label))) continue;
            string calibration = CalibrationPrefix + Path.GetFileName(file)[IndexPrefix.Length..];
            if (CachedArtifact.TryGet(folder, calibration) is not { } json) continue;
            if (!entries.All(e => e.Path is null || Unchanged(e, knownHashes))) continue;
            Touch(file); // the one used last wins a tie next time
            return json;
        }
        return null;
    }

    /// <summary>The full form of <paramref name="path"/>; null for a path that has none (empty, invalid characters).</summary>
    public static string? FullPath(string path)
    {
        try { return Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { return null; }
    }

    private static void Touch(string file)
    {
        try { File.SetLastWriteTimeUtc(file, DateTime.UtcNow); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static bool Unchanged(ImageEntry entry, IReadOnlyDictionary<string, byte[]> knownHashes)
    {
        if (knownHashes.TryGetValue(entry.Path!, out var known)) return Convert.ToHexStringLower(known) == entry.Sha256;
        try { return FeatureCache.ContentKey(File.ReadAllBytes(entry.Path!)) == entry.Sha256; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    // A list of another layout (an older or newer version) reads as none.
    private static Index? Read(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<Index>(bytes, Json.Options) is { TrainingImages: > 0, Images: { } images } index
                && images.All(e => e is { Sha256: not null }) ? index : null;
        }
        catch (JsonException) { return null; }
    }
}
