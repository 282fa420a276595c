using System.Security.Cryptography;

namespace MlNetTransfer.IO;

/// <summary>SHA-256 of files, remembered by path, size and modification time: hashing a 60 MB network costs a noticeable part of a fully cached run.</summary>
internal static class FileHashes
{
    /// <summary>One hash of <paramref name="files"/>' contents, in order.</summary>
    /// <param name="memoFolder">Where each file's hash is remembered; null hashes every time.</param>
    public static string Of(IEnumerable<string> files, string? memoFolder)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
            sha.AppendData(Convert.FromHexString(Of(file, memoFolder)));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The SHA-256 of one file's content, in lower-case hex (what <c>sha256sum</c> prints).</summary>
    public static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string Of(string file, string? memoFolder)
    {
        var info = new FileInfo(file);
        string? memo = null;
        if (memoFolder is not null)
        {
            string id = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}")));
            memo = Path.Combine(memoFolder, "file-hashes", id);
            try
            {
                var remembered = File.ReadAllText(memo).Trim();
                if (remembered.Length == 64) return remembered;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        string hash = Sha256(file);
        if (memo is not null)
        {
            try { AtomicFile.Write(memo, System.Text.Encoding.UTF8.GetBytes(hash), removeStaleTemporaries: false); }
            catch (IOException) { } // a read-only cache folder only costs the hashing time
            catch (UnauthorizedAccessException) { }
        }
        return hash;
    }
}
