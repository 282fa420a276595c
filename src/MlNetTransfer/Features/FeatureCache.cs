using System.Buffers.Binary;
using System.Security.Cryptography;
using MlNetTransfer.Backbones;
using MlNetTransfer.IO;

namespace MlNetTransfer.Features;

/// <summary>
/// Feature vectors on disk, one small file per image, keyed by the image's content hash inside a folder keyed by
/// the backbone (file hashes + preprocessing). A changed image, backbone or preprocessing is a different key, so
/// stale features are never served. Entries are written to a temporary file and renamed (atomic on one file
/// system), and carry a checksum that is verified on every read: a torn or corrupt entry reads as a miss.
/// </summary>
internal sealed class FeatureCache
{
    private const uint Magic = 0x4654_4E4D; // "MNTF"
    /// <summary>Entry layout version; part of every backbone folder's key, so entries of another layout are never read.</summary>
    internal const int FormatVersion = 2;
    private const int HeaderBytes = 12;
    private readonly string _folder;
    private int _corruptEntries;

    /// <param name="root">Cache root folder (created on first write).</param>
    /// <param name="key">What the features depend on; its <see cref="FeatureKey.Folder"/> is this cache's folder.</param>
    public FeatureCache(string root, FeatureKey key)
    {
        Root = root;
        _folder = Path.Combine(root, key.Folder);
    }

    public string Root { get; }

    /// <summary>This backbone's folder inside the cache.</summary>
    public string BackboneFolder => _folder;

    /// <summary>Number of entries found corrupt (and so recomputed) since this instance was made.</summary>
    public int CorruptEntries => Volatile.Read(ref _corruptEntries);

    /// <summary>The default cache root: $MLNETTRANSFER_CACHE, else $XDG_CACHE_HOME/mlnettransfer, else ~/.cache/mlnettransfer.</summary>
    public static string DefaultRoot()
    {
        var explicitRoot = Environment.GetEnvironmentVariable("MLNETTRANSFER_CACHE");
        if (!string.IsNullOrWhiteSpace(explicitRoot)) return explicitRoot;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var baseDir = !string.IsNullOrWhiteSpace(xdg) ? xdg
            : OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDir, "mlnettransfer");
    }

    /// <summary>The cache of <paramref name="backbone"/>'s features under <paramref name="root"/> (null: <see cref="DefaultRoot"/>).</summary>
    public static FeatureCache For(BackboneDescription backbone, string? root = null)
    {
        root ??= DefaultRoot();
        return new FeatureCache(root, FeatureKey.Of(backbone, memoFolder: root));
    }

    /// <summary>The cache of the features a saved model's feature graph makes from pixels prepared as <paramref name="pixels"/> says.</summary>
    internal static FeatureCache ForGraph(byte[] featureGraph, BackboneDescription pixels, string? root = null) =>
        new(root ?? DefaultRoot(), FeatureKey.OfGraph(featureGraph, pixels));

    /// <summary>Reads the features stored under <paramref name="key"/>; null when absent or corrupt.</summary>
    public float[]? TryRead(string key, int expectedLength)
    {
        string path = PathOf(key);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        var features = Decode(bytes, expectedLength);
        if (features is null)
        {
            Interlocked.Increment(ref _corruptEntries); // decoder threads read the cache at once
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return features;
    }

    /// <summary>Stores <paramref name="features"/> under <paramref name="key"/>, atomically.</summary>
    public void Write(string key, ReadOnlySpan<float> features) =>
        AtomicFile.Write(PathOf(key), Encode(features), removeStaleTemporaries: false);

    private string PathOf(string key) => Path.Combine(_folder, key[..2], key + ".feat");

    internal static byte[] Encode(ReadOnlySpan<float> features)
    {
        var body = new byte[HeaderBytes + features.Length * 4];
        BinaryPrimitives.WriteUInt32LittleEndian(body, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(4), FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(8), features.Length);
        for (int i = 0; i < features.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(body.AsSpan(HeaderBytes + 4 * i), features[i]);
        return Checksum.Seal(body);
    }

    internal static float[]? Decode(byte[] bytes, int expectedLength)
    {
        if (bytes.Length != HeaderBytes + expectedLength * 4 + Checksum.Length) return null;
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic) return null;
        if (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)) != FormatVersion) return null;
        if (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)) != expectedLength) return null;
        if (!Checksum.IsIntact(bytes)) return null;
        var features = new float[expectedLength];
        for (int i = 0; i < expectedLength; i++)
            features[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(HeaderBytes + 4 * i));
        return features;
    }
}
