using SkiaSharp;

namespace MlNetTransfer.Data;

/// <summary>
/// Decides, before an image reaches the network, whether it can be used: it must be non-empty, in a format the
/// decoder knows, within a pixel-count limit (checked from the header, before decoding) and decode without error.
/// </summary>
public static class ImageCheck
{
    /// <summary>Images with more pixels than this are refused before decoding (a header can claim 30000×30000).</summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>Returns null when <paramref name="bytes"/> is a usable image, else the reason it is not.</summary>
    public static string? Problem(ReadOnlySpan<byte> bytes, long maxPixels = DefaultMaxPixels)
    {
        if (bytes.Length == 0)
            return "empty file (0 bytes)";
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec is null)
            return $"not a decodable image (unrecognised format{Signature(bytes)})";
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
            return $"invalid image size {info.Width}x{info.Height}";
        if ((long)info.Width * info.Height > maxPixels)
            return $"image too large: {info.Width}x{info.Height} is over the limit of {maxPixels:N0} pixels";

        // A truncated file still opens and decodes partly (Skia fills the rest with grey), so a full decode is the
        // only way to know. JPEG decodes at 1/8 scale here, which is cheap and still reads every entropy-coded byte.
        var size = codec.GetScaledDimensions(0.125f);
        var target = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var pixels = new byte[target.BytesSize];
        unsafe
        {
            fixed (byte* p = pixels)
            {
                var result = codec.GetPixels(target, (IntPtr)p);
                if (result == SKCodecResult.InvalidScale)
                    return DecodeFull(codec);
                if (result != SKCodecResult.Success)
                    return Describe(result);
            }
        }
        return null;
    }

    private static string? DecodeFull(SKCodec codec)
    {
        var target = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(target);
        var result = codec.GetPixels(target, bitmap.GetPixels());
        return result == SKCodecResult.Success ? null : Describe(result);
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "truncated image data (the file ends before the image does)",
        SKCodecResult.ErrorInInput => "corrupt image data",
        _ => $"image could not be decoded ({result})",
    };

    private static string Signature(ReadOnlySpan<byte> bytes)
    {
        var head = bytes[..Math.Min(bytes.Length, 16)];
        bool text = head.ToArray().All(b => b is >= 0x20 and < 0x7f or (byte)'\n' or (byte)'\r' or (byte)'\t');
        return text ? "; the file looks like text" : "";
    }
}
