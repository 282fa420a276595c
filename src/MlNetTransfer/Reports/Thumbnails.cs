using SkiaSharp;

namespace MlNetTransfer.Reports;

/// <summary>Small JPEG previews of image files for the report.</summary>
internal static class Thumbnails
{
    /// <summary>The image at <paramref name="path"/> with its shorter side scaled to <paramref name="side"/>; null when it cannot be read.</summary>
    public static byte[]? Jpeg(string path, int side = 128)
    {
        try
        {
            using var original = SKBitmap.Decode(path);
            if (original is null) return null;
            float scale = (float)side / Math.Min(original.Width, original.Height);
            var info = new SKImageInfo(Math.Max(1, (int)(original.Width * scale)), Math.Max(1, (int)(original.Height * scale)));
            using var resized = original.Resize(info, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            using var image = SKImage.FromBitmap(resized);
            using var data = image.Encode(SKEncodedImageFormat.Jpeg, 80);
            return data.ToArray();
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            return null;
        }
    }
}
