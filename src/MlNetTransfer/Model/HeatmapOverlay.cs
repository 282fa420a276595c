using SkiaSharp;

namespace MlNetTransfer.Model;

/// <summary>The network's view of an image with a heatmap laid over it, as a PNG: the heatmap is upsampled bilinearly
/// to the view and coloured from transparent blue (cold) through green and yellow to red (hot).</summary>
internal static class HeatmapOverlay
{
    /// <param name="pixels">Planar RGB 0..255 of the decoded image, <paramref name="decodedSide"/> square.</param>
    /// <param name="viewSide">The side the network sees: the centre of the decoded image (a crop view decodes larger).</param>
    public static byte[] Png(float[] pixels, int decodedSide, int viewSide, HeatmapGrid heatmap)
    {
        int offset = (decodedSide - viewSide) / 2, plane = decodedSide * decodedSide;
        using var bitmap = new SKBitmap(new SKImageInfo(viewSide, viewSide, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = bitmap.GetPixelSpan();
        for (int y = 0; y < viewSide; y++)
            for (int x = 0; x < viewSide; x++)
            {
                int source = (y + offset) * decodedSide + x + offset, at = 4 * (y * viewSide + x);
                float heat = Sample(heatmap, (x + 0.5) / viewSide, (y + 0.5) / viewSide);
                var (r, g, b) = Colour(heat);
                float alpha = 0.15f + 0.45f * heat; // the image stays readable where the map is cold
                rgba[at] = Blend(pixels[source], r, alpha);
                rgba[at + 1] = Blend(pixels[plane + source], g, alpha);
                rgba[at + 2] = Blend(pixels[2 * plane + source], b, alpha);
                rgba[at + 3] = 255;
            }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static byte Blend(float image, float colour, float alpha) => (byte)Math.Clamp(image * (1 - alpha) + colour * alpha, 0, 255);

    // Bilinear between cell centres, clamped at the borders.
    private static float Sample(HeatmapGrid map, double u, double v)
    {
        double fx = Math.Clamp(u * map.Width - 0.5, 0, map.Width - 1), fy = Math.Clamp(v * map.Height - 0.5, 0, map.Height - 1);
        int x0 = (int)fx, y0 = (int)fy, x1 = Math.Min(x0 + 1, map.Width - 1), y1 = Math.Min(y0 + 1, map.Height - 1);
        double ax = fx - x0, ay = fy - y0;
        return (float)((map[x0, y0] * (1 - ax) + map[x1, y0] * ax) * (1 - ay) + (map[x0, y1] * (1 - ax) + map[x1, y1] * ax) * ay);
    }

    private static (float R, float G, float B) Colour(float t) => t switch
    {
        < 0.33f => (0, 255 * t / 0.33f, 255 * (1 - t / 0.33f)),
        < 0.66f => (255 * (t - 0.33f) / 0.33f, 255, 0),
        _ => (255, 255 * (1 - (t - 0.66f) / 0.34f), 0),
    };
}
