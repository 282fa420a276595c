using System.Security.Cryptography;
using System.Text.Json;
using MlNetTransfer.Data;
using MlNetTransfer.IO;

namespace MlNetTransfer.Features;

/// <summary>
/// Keeps an int8 calibration in use while the images it was made from are still in the data set, so that adding
/// training images costs one extraction each in int8 as in fp32. Without it, new images change which ones are spread
/// over for calibration, so the next run calibrates again and every image's int8 features change (a full extraction).
/// Each calibration is stored with a list of its images (full path for a file, none for in-memory bytes; content hash
/// for both); a later run on other images takes the largest stored calibration whose images are all still there, with
/// the same contents. The figures then differ a little from those of a fresh cache, which calibrates on the current
/// images: metrics.json says which happened.
/// </summary>
internal static class CalibrationReuse
{
    private sealed record ImageEntry(string? Path, string Sha256);

    private sealed record Index(string Basis, IReadOnlyList<ImageEntry> Images);

    private const string CalibrationPrefix = "int8-calibration-", IndexPrefix = "int8-calibrated-on-";

    /// <summary>The list of images of <paramref name="calibrationFile"/> (int8-calibration-KEY.json → int8-calibrated-on-KEY.json).</summary>
    public static string IndexFileName(string calibrationFile) => IndexPrefix + calibrationFile[CalibrationPrefix.Length..];

    /// <summary>Stores which images <paramref name="calibrationFile"/> was made from (after the calibration itself, so that an index always has its calibration).</summary>
    public static void Record(string folder, string calibrationFile, string basis, IEnumerable<(LabelledImage Image, byte[] Hash)> images)
    {
        var index = new Index(basis, images.Select(i => new ImageEntry(i.Image.Bytes is null ? Path.GetFullPath(i.Image.Path) : null, Convert.ToHexStringLower(i.Hash))).ToList());
        CachedArtifact.GetOrBuild(folder, IndexFileName(calibrationFile), () => JsonSerializer.SerializeToUtf8Bytes(index, Json.Options));
    }

    /// <summary>
    /// The calibration file in <paramref name="folder"/> made under <paramref name="basis"/> from at least
    /// <paramref name="atLeast"/> images that are all among <paramref name="present"/> with unchanged contents (the one
    /// with most images, then by name); null when there is none.
    /// </summary>
    /// <param name="knownHashes">Content hashes already computed, by full path.</param>
    public static string? Find(string folder, string basis, IReadOnlyList<LabelledImage> present, int atLeast,
        IReadOnlyDictionary<string, byte[]> knownHashes, CancellationToken cancel)
    {
        var indexes = new List<(string Calibration, Index Index)>();
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder, IndexPrefix + "*.json"))
                if (CachedArtifact.TryGet(folder, Path.GetFileName(file)) is { } bytes && Read(bytes) is { } index && index.Basis == basis && index.Images.Count >= atLeast)
                    indexes.Add((CalibrationPrefix + Path.GetFileName(file)[IndexPrefix.Length..], index));
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        if (indexes.Count == 0) return null;

        var files = present.Where(i => i.Bytes is null).Select(i => Path.GetFullPath(i.Path)).ToHashSet(StringComparer.Ordinal);
        HashSet<string>? inMemory = null; // hashes of in-memory images, computed once if an index asks for one
        foreach (var (calibration, index) in indexes.OrderByDescending(c => c.Index.Images.Count).ThenBy(c => c.Calibration, StringComparer.Ordinal))
        {
            cancel.ThrowIfCancellationRequested();
            if (!index.Images.All(e => e.Path is null || files.Contains(e.Path))) continue;
            inMemory ??= index.Images.Any(e => e.Path is null)
                ? present.Where(i => i.Bytes is not null).Select(i => Convert.ToHexStringLower(SHA256.HashData(i.Bytes!))).ToHashSet(StringComparer.Ordinal) : null;
            if (index.Images.All(e => e.Path is null ? inMemory?.Contains(e.Sha256) == true : Unchanged(e, knownHashes))
                && CachedArtifact.TryGet(folder, calibration) is not null)
                return calibration;
        }
        return null;
    }

    private static bool Unchanged(ImageEntry entry, IReadOnlyDictionary<string, byte[]> knownHashes)
    {
        if (knownHashes.TryGetValue(entry.Path!, out var known)) return Convert.ToHexStringLower(known) == entry.Sha256;
        try { return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(entry.Path!))) == entry.Sha256; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    private static Index? Read(byte[] bytes)
    {
        try { return JsonSerializer.Deserialize<Index>(bytes, Json.Options); }
        catch (JsonException) { return null; }
    }
}
