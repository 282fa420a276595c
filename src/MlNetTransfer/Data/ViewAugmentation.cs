using System.Buffers.Binary;
using SkiaSharp;

namespace MlNetTransfer.Data;

/// <summary>
/// Random training views of an image, after the recipe's torchvision transforms: RandomResizedCrop(side,
/// scale=(MinScale, MaxScale), ratio=(3/4, 4/3)), RandomRotation(MaxRotation), RandomHorizontalFlip; the graph then
/// takes the centre crop as for every image. Each view is seeded by the image's content, the view number and
/// <see cref="Seed"/>, so it is the same on every run and can be cached.
/// </summary>
public sealed record ViewAugmentation
{
    public float MinScale { get; init; } = 0.8f;
    public float MaxScale { get; init; } = 1.0f;
    public float MaxRotation { get; init; } = 15f;
    public bool Flip { get; init; } = true;
    public int Seed { get; init; }

    /// <summary>Throws <see cref="MlNetTransferException"/> naming the first setting out of range (NaN included).</summary>
    internal void Validate()
    {
        const string prefix = nameof(TrainSettings.Augmentation) + ".";
        if (!(MinScale is > 0 and <= 1) || !(MaxScale >= MinScale && MaxScale <= 1))
            throw new MlNetTransferException($"Augmentation.MinScale and MaxScale must be 0 < MinScale <= MaxScale <= 1, not {MinScale} and {MaxScale}.", prefix + nameof(MinScale));
        if (!(MaxRotation is >= 0 and <= 180))
            throw new MlNetTransferException($"Augmentation.MaxRotation must be 0 to 180 degrees, not {MaxRotation}.", prefix + nameof(MaxRotation));
    }

    /// <summary>Names every parameter that changes a view's pixels; part of its cache key.</summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal string Signature => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"aug:v1;scale={MinScale:R}-{MaxScale:R};rot={MaxRotation:R};flip={Flip};seed={Seed}");

    /// <summary>Renders view <paramref name="view"/> of <paramref name="encoded"/> as planar RGB 0..255, <paramref name="side"/>×<paramref name="side"/>.</summary>
    internal void Render(byte[] encoded, string contentKey, int view, int side, Span<float> pixels)
    {
        var planes = new byte[3 * side * side];
        Render(encoded, contentKey, view, side, planes.AsSpan());
        System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<byte, float>(planes, pixels);
    }

    /// <summary>The same, as bytes: the form extraction keeps decoded images in while they wait for the network.</summary>
    internal void Render(byte[] encoded, string contentKey, int view, int side, Span<byte> pixels)
    {
        using var source = SKBitmap.Decode(encoded) ?? throw new InvalidDataException("image could not be decoded");
        var random = new Training.SeededRandom(unchecked((int)BinaryPrimitives.ReadUInt32LittleEndian(Convert.FromHexString(contentKey[..8])) ^ (view * 7919) ^ (Seed * 104729)));

        // RandomResizedCrop: area share and aspect ratio (log-uniform), up to 10 tries, else the whole image.
        int w = source.Width, h = source.Height;
        var crop = new SKRect(0, 0, w, h);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double area = w * h * (MinScale + (MaxScale - MinScale) * random.NextFloat());
            double ratio = Math.Exp(Math.Log(3.0 / 4) + (Math.Log(4.0 / 3) - Math.Log(3.0 / 4)) * random.NextFloat());
            int cw = (int)Math.Round(Math.Sqrt(area * ratio)), ch = (int)Math.Round(Math.Sqrt(area / ratio));
            if (cw <= 0 || ch <= 0 || cw > w || ch > h) continue;
            int x = random.NextInt(w - cw + 1), y = random.NextInt(h - ch + 1);
            crop = new SKRect(x, y, x + cw, y + ch);
            break;
        }
        float angle = (random.NextFloat() * 2 - 1) * MaxRotation;
        bool flip = Flip && random.NextFloat() < 0.5f;

        var info = new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Black); // rotation uncovers corners: black, as torchvision fills them
        canvas.Translate(side / 2f, side / 2f);
        canvas.RotateDegrees(angle);
        if (flip) canvas.Scale(-1, 1);
        canvas.Translate(-side / 2f, -side / 2f);
        using var paint = new SKPaint { IsAntialias = true };
        using var pixmap = source.PeekPixels();
        using var drawn = SKImage.FromPixels(pixmap); // a view of the bitmap's pixels, not a copy
        canvas.DrawImage(drawn, crop, new SKRect(0, 0, side, side), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), paint);
        using var image = surface.Snapshot();
        using var bitmap = new SKBitmap(info);
        image.ReadPixels(info, bitmap.GetPixels(), side * 4, 0, 0);
        var rgba = bitmap.GetPixelSpan();
        int plane = side * side;
        for (int i = 0; i < plane; i++)
        {
            pixels[i] = rgba[4 * i];
            pixels[plane + i] = rgba[4 * i + 1];
            pixels[2 * plane + i] = rgba[4 * i + 2];
        }
    }
}
