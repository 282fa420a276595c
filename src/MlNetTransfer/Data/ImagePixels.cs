using System.Buffers;
using System.Numerics.Tensors;
using MlNetTransfer.Backbones;
using SkiaSharp;

namespace MlNetTransfer.Data;

/// <summary>
/// Turns encoded image bytes into the planar RGB pixels the feature graph takes, exactly as the saved model's ML.NET
/// transforms (LoadImages → ResizeImages → ExtractPixels, see <see cref="Model.ModelFront"/>) do. The saved model runs
/// ML.NET's transforms; training runs the same SkiaSharp calls those transforms make (ML.NET's MLImage), without
/// ML.NET's per-row machinery and per-pixel extraction loop, which cost more than the resize itself. A test pins the
/// two to identical pixels for every image kind the tests know (seam <see cref="Model.MlNetInternals.PixelsSeam"/>).
/// Stateless: one instance serves any number of threads.
/// </summary>
internal sealed class ImagePixels
{
    private readonly BackboneDescription _backbone;

    public ImagePixels(BackboneDescription backbone)
    {
        _backbone = backbone;
        Length = 3 * backbone.DecodedSize * backbone.DecodedSize;
    }

    public int Length { get; }

    /// <summary>The decoded image's side (the network may see its centre only: <see cref="BackboneDescription.InputSize"/>).</summary>
    public int Side => _backbone.DecodedSize;

    /// <summary>Names the code that turns encoded bytes into pixels (ML.NET's image transforms over SkiaSharp, at their releases): part of the feature cache key.</summary>
    public static string DecoderSignature { get; } =
        $"decoder=mlnet-imageanalytics-{IO.PackageVersion.Of(typeof(Microsoft.ML.Data.ImageLoadingEstimator))}+skiasharp-{IO.PackageVersion.Of(typeof(SKBitmap))};{ShrinkOnLoad.Signature}";

    /// <summary>
    /// Checks and decodes one image as the predictors take it: a problem its header shows (see <see cref="ImageCheck"/>)
    /// or bytes that do not decode is an <see cref="InvalidDataException"/> naming <paramref name="name"/> and the reason.
    /// </summary>
    public void DecodeChecked(byte[] image, string? name, long maxPixels, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (ImageCheck.Problem(image, maxPixels) is { } problem)
            throw new InvalidDataException($"{name ?? "image"}: {problem}");
        try
        {
            Decode(image, destination);
        }
        catch (Exception e) when (e is InvalidDataException || e is ArgumentException { ParamName: null }) // not a short destination
        {
            throw new InvalidDataException($"{name ?? "image"}: could not be decoded: {e.Message}", e);
        }
    }

    /// <summary>Decodes <paramref name="encoded"/> and writes its pixels to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The bytes are not an image SkiaSharp can decode.</exception>
    public void Decode(byte[] encoded, Span<float> destination)
    {
        if (destination.Length < Length) throw new ArgumentException($"Needs {Length} values.", nameof(destination));
        // One decoding path for both forms, so that they cannot drift apart. Rented and returned on this thread, the
        // buffer comes from the pool's per-thread cache (unlike the extractor's, which cross threads).
        var planes = ArrayPool<byte>.Shared.Rent(Length);
        try
        {
            Decode(encoded, planes.AsSpan(0, Length));
            TensorPrimitives.ConvertTruncating<byte, float>(planes.AsSpan(0, Length), destination);
        }
        finally { ArrayPool<byte>.Shared.Return(planes); }
    }

    /// <summary>
    /// Decodes <paramref name="encoded"/> and writes its pixels to <paramref name="destination"/> as bytes: the same
    /// values (ExtractPixels' are whole numbers 0..255) in a quarter of the memory, for images waiting to be run.
    /// </summary>
    /// <exception cref="ArgumentException">The bytes are not an image SkiaSharp can decode.</exception>
    public void Decode(byte[] encoded, Span<byte> destination)
    {
        if (destination.Length < Length) throw new ArgumentException($"Needs {Length} values.", nameof(destination));
        int side = _backbone.DecodedSize;
        using var source = InMlImageForm(ShrinkOnLoad.Decode(encoded) ?? DecodeWhole(encoded));
        using var resized = source.Width == side && source.Height == side ? null
            : _backbone.Resize == ResizeMode.Stretch ? source.Resize(new SKSizeI(side, side), new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None))
            : ResizeWithCentreCrop(source, side, side);
        WritePlanarRgb(resized ?? source, destination[..Length]);
    }

    private static SKBitmap DecodeWhole(byte[] encoded)
    {
        using var stream = new MemoryStream(encoded, writable: false);
        return SKBitmap.Decode(stream) ?? throw new ArgumentException("Invalid input stream contents"); // MLImage's decode and message
    }

    /// <summary>
    /// <paramref name="decoded"/> as MLImage holds a decode: Bgra8888 and Rgba8888 as they are, anything else (a
    /// grayscale JPEG's Gray8) copied to Bgra8888, <paramref name="decoded"/> then disposed. The caller owns the result.
    /// </summary>
    /// <exception cref="ArgumentException">The decode cannot be copied to Bgra8888 (MLImage's message).</exception>
    internal static SKBitmap InMlImageForm(SKBitmap decoded)
    {
        if (decoded.ColorType is SKColorType.Bgra8888 or SKColorType.Rgba8888) return decoded;
        using (decoded)
            return decoded.CanCopyTo(SKColorType.Bgra8888)
                ? decoded.Copy(SKColorType.Bgra8888)
                : throw new ArgumentException("Unsupported image format.");
    }

    // MLImage.ResizeWithCrop with the centre anchor: scale to cover the target, centre, draw with high filter quality.
    private static unsafe SKBitmap ResizeWithCentreCrop(SKBitmap image, int width, int height)
    {
        float widthAspect = (float)width / image.Width, heightAspect = (float)height / image.Height;
        int destX = 0, destY = 0;
        float aspect;
        if (heightAspect < widthAspect)
        {
            aspect = widthAspect;
            destY = (int)((height - image.Height * aspect) / 2);
        }
        else
        {
            aspect = heightAspect;
            destX = (int)((width - image.Width * aspect) / 2);
        }
        int destWidth = (int)(image.Width * aspect), destHeight = (int)(image.Height * aspect);

        var destination = new SKBitmap(width, height, isOpaque: true);
        // Fresh large allocations are zero pages; clear explicitly so translucent images composite over the same zeros.
        new Span<byte>((void*)destination.GetPixels(), destination.ByteCount).Clear();
        using var canvas = new SKCanvas(destination);
        // ML.NET's FilterQuality.High, which SkiaSharp 3 draws as Mitchell's cubic.
        using var pixmap = image.PeekPixels();
        using var drawn = SKImage.FromPixels(pixmap); // a view of the bitmap's pixels, not a copy
        canvas.DrawImage(drawn, new SKRect(0, 0, image.Width, image.Height), new SKRect(destX, destY, destX + destWidth, destY + destHeight), new SKSamplingOptions(SKCubicResampler.Mitchell));
        return destination;
    }

    // ExtractPixels' defaults: red, green, blue planes, values 0..255, no offset or scale.
    private static void WritePlanarRgb(SKBitmap bitmap, Span<byte> destination)
    {
        var bytes = bitmap.GetPixelSpan();
        int plane = bitmap.Width * bitmap.Height, rowBytes = bitmap.RowBytes, width = bitmap.Width;
        bool bgra = bitmap.ColorType == SKColorType.Bgra8888;
        int redAt = bgra ? 2 : 0, blueAt = bgra ? 0 : 2;
        var red = destination[..plane];
        var green = destination.Slice(plane, plane);
        var blue = destination.Slice(2 * plane, plane);
        for (int y = 0, i = 0; y < bitmap.Height; y++)
        {
            var row = bytes.Slice(y * rowBytes, width * 4);
            for (int x = 0; x < width; x++, i++)
            {
                red[i] = row[4 * x + redAt];
                green[i] = row[4 * x + 1];
                blue[i] = row[4 * x + blueAt];
            }
        }
    }
}
