using System.Buffers.Binary;
using System.IO.Hashing;

namespace MlNetTransfer.IO;

/// <summary>
/// The one integrity check of the files the tool writes and reads back (cache entries, build artifacts, the head in
/// model.zip): an XxHash3 of the content, appended as 8 little-endian bytes. A torn or damaged file fails it.
/// </summary>
internal static class Checksum
{
    public const int Length = 8;

    /// <summary>Writes the checksum of <paramref name="body"/> into <paramref name="destination"/> (8 bytes).</summary>
    public static void Write(ReadOnlySpan<byte> body, Span<byte> destination) =>
        BinaryPrimitives.WriteUInt64LittleEndian(destination, XxHash3.HashToUInt64(body));

    /// <summary><paramref name="body"/> followed by its checksum.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> body)
    {
        var sealedBytes = new byte[body.Length + Length];
        body.CopyTo(sealedBytes);
        Write(body, sealedBytes.AsSpan(body.Length));
        return sealedBytes;
    }

    /// <summary>True when <paramref name="sealedBytes"/> ends with the checksum of what comes before it.</summary>
    public static bool IsIntact(ReadOnlySpan<byte> sealedBytes) =>
        sealedBytes.Length >= Length
        && BinaryPrimitives.ReadUInt64LittleEndian(sealedBytes[^Length..]) == XxHash3.HashToUInt64(sealedBytes[..^Length]);
}
