using SkiaSharp;

namespace MlNetTransfer.Data;

/// <summary>
/// Shrink-on-load: a JPEG is decoded straight at 1/2, 1/4 or 1/8 of its size (libjpeg-turbo's DCT scaling, through
/// SkiaSharp's codec) when that leaves its shorter side at least <see cref="DefaultFloor"/> pixels, then resized as
/// any image. A 12-48 MP photo then costs a fraction of a full decode; an image whose shorter side is under 1,023 px
/// (libjpeg rounds scaled sizes up: 1,023 / 2 gives 512) is never scaled, so its pixels stay exactly those of ML.NET's
/// LoadImages. The rule depends on the image alone (not on the
/// backbone), so training, the predictors and a bytes model's decoding step all decode a photo alike.
/// </summary>
internal static class ShrinkOnLoad
{
    /// <summary>The shortest side a scaled decode may leave (twice the embedded backbone's 256-pixel resize; chosen by measurement, docs/how-it-works.md).</summary>
    public const int DefaultFloor = 512;

    /// <summary>Names the rule; part of the feature cache key.</summary>
    public static string Signature => $"jpeg-shrink-floor={DefaultFloor}";

    private static readonly float[] Scales = [0.125f, 0.25f, 0.5f];

    /// <summary>
    /// The image decoded at the smallest DCT scale keeping its shorter side at least <see cref="DefaultFloor"/> pixels, as
    /// Bgra8888 (opaque) like a whole decode; null when it is not a JPEG, no scale applies, or the scaled decode fails
    /// (the caller decodes it whole).
    /// </summary>
    public static SKBitmap? Decode(byte[] encoded)
    {
        const int floor = DefaultFloor; // named in the feature cache key (Signature)
        if (encoded.Length < 3 || encoded[0] != 0xFF || encoded[1] != 0xD8 || encoded[2] != 0xFF) return null;
        using var codec = SKCodec.Create(new MemoryStream(encoded, writable: false));
        if (codec is null || codec.EncodedFormat != SKEncodedImageFormat.Jpeg) return null;
        foreach (var scale in Scales)
        {
            var size = codec.GetScaledDimensions(scale);
            if (Math.Min(size.Width, size.Height) < floor) continue;
            if (size == codec.Info.Size) return null;
            var info = new SKImageInfo(size.Width, size.Height, SKColorType.Bgra8888, codec.Info.AlphaType);
            var bitmap = new SKBitmap(info);
            var result = codec.GetPixels(info, bitmap.GetPixels());
            if (result is SKCodecResult.Success or SKCodecResult.IncompleteInput) return bitmap;
            bitmap.Dispose();
            return null;
        }
        return null;
    }
}
