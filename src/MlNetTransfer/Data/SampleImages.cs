using SkiaSharp;

namespace MlNetTransfer.Data;

/// <summary>
/// Generates the small sample data set committed in data/sample: shapes (circle, square, triangle) of random
/// colour, size, position and rotation on noisy backgrounds, so a fresh clone trains offline. Seeded: the same
/// seed writes the same files.
/// </summary>
internal static class SampleImages
{
    public static readonly IReadOnlyList<string> Classes = ["circle", "square", "triangle"];

    /// <summary>Writes <paramref name="perClass"/> JPEG images of <paramref name="size"/> pixels per class under <paramref name="folder"/>.</summary>
    public static void Generate(string folder, int perClass = 40, int size = 96, int seed = 42)
    {
        var random = new Random(seed);
        foreach (var shape in Classes)
        {
            string dir = Path.Combine(folder, shape);
            Directory.CreateDirectory(dir);
            for (int i = 0; i < perClass; i++)
            {
                using var bitmap = Draw(shape, size, random);
                using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 85);
                File.WriteAllBytes(Path.Combine(dir, $"{shape}_{i:D3}.jpg"), data.ToArray());
            }
        }
    }

    private static SKBitmap Draw(string shape, int size, Random random)
    {
        var bitmap = new SKBitmap(size, size);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(RandomColor(random, 60, 200));
        using (var noise = new SKPaint { IsAntialias = false })
            for (int k = 0; k < size * 3; k++)
            {
                noise.Color = RandomColor(random, 0, 255).WithAlpha(90);
                canvas.DrawCircle(random.Next(size), random.Next(size), random.Next(1, 4), noise);
            }
        using var paint = new SKPaint { IsAntialias = true, Color = RandomColor(random, 0, 255), Style = SKPaintStyle.Fill };
        float r = size * (0.2f + 0.15f * random.NextSingle());
        float cx = size / 2f + (random.NextSingle() - 0.5f) * (size - 2 * r) * 0.6f;
        float cy = size / 2f + (random.NextSingle() - 0.5f) * (size - 2 * r) * 0.6f;
        canvas.Translate(cx, cy);
        canvas.RotateDegrees(random.NextSingle() * 360);
        switch (shape)
        {
            case "circle":
                canvas.DrawCircle(0, 0, r, paint);
                break;
            case "square":
                canvas.DrawRect(-r * 0.85f, -r * 0.85f, r * 1.7f, r * 1.7f, paint);
                break;
            default:
                using (var path = new SKPath())
                {
                    for (int v = 0; v < 3; v++)
                    {
                        double a = v * 2 * Math.PI / 3 - Math.PI / 2;
                        var point = new SKPoint((float)(r * 1.1 * Math.Cos(a)), (float)(r * 1.1 * Math.Sin(a)));
                        if (v == 0) path.MoveTo(point); else path.LineTo(point);
                    }
                    path.Close();
                    canvas.DrawPath(path, paint);
                }
                break;
        }
        return bitmap;
    }

    private static SKColor RandomColor(Random random, int min, int max) =>
        new((byte)random.Next(min, max), (byte)random.Next(min, max), (byte)random.Next(min, max));
}
