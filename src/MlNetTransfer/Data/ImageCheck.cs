using SkiaSharp;

namespace MlNetTransfer.Data;

/// <summary>
/// Decides, before an image reaches the network, whether it can be used: it must be non-empty, in a format the
/// decoder knows, within a pixel-count limit (checked from the header, before decoding) and complete (its format's
/// end marker present). Costs a header parse, not a decode.
/// </summary>
/// <summary>What is wrong with an image file.</summary>
internal enum ImageProblemKind
{
    Empty,
    /// <summary>Not in a format the decoder knows (text, HTML, TIFF, ...).</summary>
    NotAnImage,
    /// <summary>Its header claims more pixels than the limit (a decompression bomb, or a huge scan).</summary>
    TooManyPixels,
    /// <summary>Truncated, or a header with an impossible size.</summary>
    Damaged,
}

/// <summary>An image that cannot be used: the kind of problem and the reason, said for a person.</summary>
internal sealed record ImageProblem(ImageProblemKind Kind, string Reason);

internal static class ImageCheck
{
    /// <summary>Images with more pixels than this are refused before decoding (a header can claim 30000×30000).</summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>Returns null when <paramref name="bytes"/> is a usable image, else the reason it is not.</summary>
    public static string? Problem(ReadOnlySpan<byte> bytes, long maxPixels = DefaultMaxPixels) => Check(bytes, maxPixels)?.Reason;

    /// <summary>Returns null when <paramref name="bytes"/> is a usable image, else what is wrong and why.</summary>
    public static ImageProblem? Check(ReadOnlySpan<byte> bytes, long maxPixels = DefaultMaxPixels)
    {
        if (bytes.Length == 0)
            return new(ImageProblemKind.Empty, "empty file (0 bytes)");
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            if (ReadableFormat(bytes) is { } readable) // its own signature, but a header the decoder cannot read
                return new(ImageProblemKind.NotAnImage, $"a {readable} whose header cannot be read (cut short, damaged, or a kind of {readable} not read here)");
            return new(ImageProblemKind.NotAnImage, UnreadableFormat(bytes) is { } format
                ? $"{format} image, a format not read here: convert it to JPEG or PNG"
                : $"not a decodable image (unrecognised format{Signature(bytes)})");
        }
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
            return new(ImageProblemKind.Damaged, $"invalid image size {info.Width}x{info.Height}");
        if ((long)info.Width * info.Height > maxPixels)
            return new(ImageProblemKind.TooManyPixels, $"image too large: {info.Width}x{info.Height} is over the limit of {maxPixels:N0} pixels");

        // A truncated file still opens and decodes partly (Skia fills the rest with grey, and ML.NET's loader takes
        // it), so the end of the file is checked against the format's own end marker: cheap, and no second decode.
        return Truncation(bytes, codec.EncodedFormat) is { } truncated ? new(ImageProblemKind.Damaged, truncated) : null;
    }

    private static string? Truncation(ReadOnlySpan<byte> bytes, SKEncodedImageFormat format)
    {
        const string truncated = "truncated image data (the file ends before the image does)";
        switch (format)
        {
            case SKEncodedImageFormat.Jpeg:
                // The end-of-image marker, allowing for the padding or trailer some cameras append.
                var tail = bytes[Math.Max(0, bytes.Length - 4096)..];
                return tail.IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0 ? null : truncated;
            case SKEncodedImageFormat.Png:
                return bytes.IndexOf("IEND"u8) >= 0 ? null : truncated;
            case SKEncodedImageFormat.Gif:
                return bytes[^1] == 0x3B || bytes[Math.Max(0, bytes.Length - 16)..].Contains((byte)0x3B) ? null : truncated;
            case SKEncodedImageFormat.Webp:
                // RIFF header: bytes 4..7 hold the size of what follows them.
                return bytes.Length >= 12 && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]) + 8 <= (uint)bytes.Length ? null : truncated;
            case SKEncodedImageFormat.Bmp:
                return bytes.Length >= 6 && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes[2..]) <= (uint)bytes.Length ? null : truncated;
            default:
                return null;
        }
    }

    private static string? ReadableFormat(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "JPEG"
        : bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? "PNG"
        : bytes.StartsWith("GIF8"u8) ? "GIF"
        : bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8) ? "WebP"
        : null;

    // Photo formats named by their own signatures: an ISO-BMFF "ftyp" box with a HEIF or AVIF brand, or TIFF's byte-order mark.
    private static string? UnreadableFormat(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 12 && bytes[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = System.Text.Encoding.ASCII.GetString(bytes[8..12]);
            if (brand is "avif" or "avis") return "an AVIF";
            if (brand is "heic" or "heix" or "hevc" or "hevx" or "heim" or "heis" or "mif1" or "msf1") return "a HEIC/HEIF";
        }
        if (bytes.Length >= 4 && (bytes[..4].SequenceEqual("II*\0"u8) || bytes[..4].SequenceEqual("MM\0*"u8))) return "a TIFF";
        return null;
    }

    private static string Signature(ReadOnlySpan<byte> bytes)
    {
        var head = bytes[..Math.Min(bytes.Length, 16)];
        bool text = head.ToArray().All(b => b is >= 0x20 and < 0x7f or (byte)'\n' or (byte)'\r' or (byte)'\t');
        return text ? "; the file looks like text" : "";
    }
}
