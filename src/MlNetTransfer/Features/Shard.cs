using System.Security.Cryptography;
using System.Text;

namespace MlNetTransfer.Features;

/// <summary>
/// Share <see cref="Index"/> (0-based) of <see cref="Count"/> disjoint shares of a data set, so that several processes
/// or machines extract one data set together into a shared cache. An image belongs to the share its path relative to
/// the data folder hashes to: stable on every machine that sees the same folder, and no file is read to decide.
/// </summary>
internal readonly record struct Shard(int Index, int Count)
{
    /// <summary>The whole data set.</summary>
    public static Shard All => new(0, 1);

    /// <summary>Parses "K/N" (0 ≤ K &lt; N), as Kubernetes' JOB_COMPLETION_INDEX and Slurm's array index give K.</summary>
    /// <exception cref="ArgumentException">Not of that form.</exception>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], out int k) && int.TryParse(parts[1], out int n) && n >= 1 && k >= 0 && k < n)
            return new Shard(k, n);
        throw new ArgumentException($"A shard is K/N with 0 <= K < N (for example 0/4), not '{text}'.", nameof(text));
    }

    /// <summary>True when <paramref name="path"/> (under <paramref name="root"/>) belongs to this share.</summary>
    public bool Contains(string root, string path)
    {
        if (Count == 1) return true;
        string relative = Path.GetRelativePath(root, path).Replace('\\', '/');
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(relative));
        return (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(hash) % (ulong)Count) == Index; // the same on every machine
    }

    public override string ToString() => $"{Index}/{Count}";
}
