using System.Buffers.Binary;
using System.IO.Hashing;

namespace MlNetTransfer.Features;

/// <summary>
/// A build product kept in the cache folder between runs (the backbone part of the saved graph, the ML.NET
/// pipeline skeleton), so a run whose features are all cached does not rebuild what no setting of it changed.
/// Stored with its length and an XxHash3 checksum and written atomically; a damaged file is rebuilt.
/// </summary>
internal static class CachedArtifact
{
    /// <summary>Returns the stored bytes of <paramref name="fileName"/> in <paramref name="folder"/>, or builds and stores them.</summary>
    public static byte[] GetOrBuild(string? folder, string fileName, Func<byte[]> build)
    {
        if (folder is null)
            return build();
        string path = Path.Combine(folder, fileName);
        if (TryRead(path) is { } cached)
            return cached;
        var bytes = build();
        try
        {
            AtomicFile.Write(path, stream =>
            {
                stream.Write(bytes);
                Span<byte> trailer = stackalloc byte[16];
                BinaryPrimitives.WriteInt64LittleEndian(trailer, bytes.Length);
                BinaryPrimitives.WriteUInt64LittleEndian(trailer[8..], XxHash3.HashToUInt64(bytes));
                stream.Write(trailer);
            });
        }
        catch (IOException) { }                // a read-only or full cache folder only costs time
        catch (UnauthorizedAccessException) { }
        return bytes;
    }

    private static byte[]? TryRead(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        if (bytes.Length < 16) return null;
        var body = bytes.AsSpan(0, bytes.Length - 16);
        var trailer = bytes.AsSpan(bytes.Length - 16);
        if (BinaryPrimitives.ReadInt64LittleEndian(trailer) != body.Length) return null;
        if (BinaryPrimitives.ReadUInt64LittleEndian(trailer[8..]) != XxHash3.HashToUInt64(body)) return null;
        return body.ToArray();
    }
}
