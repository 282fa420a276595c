namespace MlNetTransfer.IO;

/// <summary>
/// A build product kept in the cache folder between runs (the backbone part of the saved graph, the ML.NET
/// pipeline skeleton), so a run whose features are all cached does not rebuild what no setting of it changed.
/// Stored with its <see cref="Checksum"/> and written atomically; a damaged file is rebuilt.
/// </summary>
internal static class CachedArtifact
{
    /// <summary>Returns the stored bytes of <paramref name="fileName"/> in <paramref name="folder"/>, or builds and stores them.</summary>
    public static byte[] GetOrBuild(string? folder, string fileName, Func<byte[]> build)
    {
        if (folder is null)
            return build();
        if (TryGet(folder, fileName) is { } cached)
            return cached;
        var bytes = build();
        Store(folder, fileName, bytes); // a read-only or full cache folder only costs time
        return bytes;
    }

    /// <summary>Stores <paramref name="bytes"/> as <paramref name="fileName"/>, replacing what is there; a read-only or full folder only loses it.</summary>
    public static void Store(string folder, string fileName, byte[] bytes)
    {
        try { AtomicFile.Write(Path.Combine(folder, fileName), Checksum.Seal(bytes)); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>The stored bytes of <paramref name="fileName"/>, or null when it is missing or damaged.</summary>
    public static byte[]? TryGet(string folder, string fileName) => TryRead(Path.Combine(folder, fileName));

    private static byte[]? TryRead(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        return Checksum.IsIntact(bytes) ? bytes[..^Checksum.Length] : null;
    }
}
