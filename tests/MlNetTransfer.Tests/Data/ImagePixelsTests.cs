using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Tests.Support;
using SkiaSharp;

namespace MlNetTransfer.Tests.Data;

/// <summary>
/// Training decodes with its own SkiaSharp calls; the saved model decodes with ML.NET's transforms. The two must give
/// the same pixels bit for bit, or the model would behave differently in the user's app than in training.
/// </summary>
public class ImagePixelsTests
{
    public static TheoryData<string> Kinds() => [.. Images().Keys];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TrainingPixelsEqualTheSavedModelsPixels(string kind)
    {
        var bytes = Images()[kind];
        foreach (var backbone in new[] { BackboneRegistry.Get(), BackboneRegistry.Get() with { Resize = ResizeMode.Stretch } })
        {
            var expected = MlNetPixels(backbone, bytes);
            var actual = new float[expected.Length];
            new ImagePixels(backbone).Decode(bytes, actual);
            int differing = Enumerable.Range(0, expected.Length).Count(i => expected[i] != actual[i]);
            Assert.True(differing == 0, $"{kind}, {backbone.Resize}: {differing} of {expected.Length} values differ");
        }
    }

    // A camera-sized JPEG is decoded at a DCT scale (shrink-on-load): training's pixels are then exactly those of a
    // bytes model's decoding step (which shrinks alike), and close to, not equal to, ML.NET's whole-image LoadImages.
    [Fact]
    [Trait("Category", "Slow")]
    public void ALargeJpegShrinksOnLoadAsTheBytesModelDoesAndStaysCloseToAWholeDecode()
    {
        var jpeg = OddImages.Jpeg(2600, 1800);
        var backbone = BackboneRegistry.Get();
        using (var shrunk = ShrinkOnLoad.Decode(jpeg))
        {
            Assert.NotNull(shrunk);
            Assert.Equal((1300, 900), (shrunk!.Width, shrunk.Height)); // 1/2: the smallest scale keeping 512 pixels or more
        }
        var fast = new float[3 * backbone.DecodedSize * backbone.DecodedSize];
        new ImagePixels(backbone).Decode(jpeg, fast);

        var decoded = new MlNetTransfer.Model.ImageBytesDecoding.DecodedImage();
        MlNetTransfer.Model.ImageBytesDecoding.Decode(new MlNetTransfer.Model.ImageBytesDecoding.EncodedImage { Bytes = jpeg }, decoded);
        var bytesModel = MlNetPixels(backbone, decoded.Image!);
        int differing = Enumerable.Range(0, fast.Length).Count(i => fast[i] != bytesModel[i]);
        Assert.True(differing == 0, $"{differing} of {fast.Length} values differ from the bytes model's");

        var whole = MlNetPixels(backbone, jpeg);
        double meanDifference = Enumerable.Range(0, fast.Length).Average(i => Math.Abs(fast[i] - whole[i]));
        Assert.InRange(meanDifference, 0.0, 2.0); // of 0..255
        Assert.NotEqual(fast, whole);
        Assert.Null(ShrinkOnLoad.Decode(OddImages.Jpeg(1000, 900))); // under twice the floor: decoded whole, as LoadImages does
    }

    [Fact]
    public void BytesThatAreNoImageAreRefused()
    {
        var pixels = new ImagePixels(BackboneRegistry.Get());
        Assert.Throws<ArgumentException>(() => pixels.Decode("not an image"u8.ToArray(), new float[pixels.Length]));
    }

    private static Dictionary<string, byte[]> Images()
    {
        var sample = Directory.GetFiles(Path.Combine(RepoPaths.Root, "data", "sample"), "*.jpg", SearchOption.AllDirectories).Order().First();
        return new()
        {
            ["wide jpeg"] = OddImages.Jpeg(500, 375),
            ["tall jpeg"] = OddImages.Jpeg(301, 640),
            ["jpeg already 256"] = OddImages.Jpeg(256, 256),
            ["jpeg already 224"] = OddImages.Jpeg(224, 224),
            ["tiny jpeg"] = OddImages.Jpeg(7, 5),
            ["1x1"] = OddImages.Jpeg(1, 1),
            ["exif rotated"] = OddImages.ExifRotatedJpeg(120, 80),
            ["cmyk jpeg"] = OddImages.CmykJpeg(),
            ["animated gif"] = OddImages.AnimatedGif(),
            ["grayscale png"] = OddImages.GrayscalePng(300),
            ["16-bit png"] = OddImages.Png16Bit(300),
            ["palette png with alpha"] = OddImages.PalettePngWithAlpha(300),
            ["translucent png"] = TranslucentPng(256, 190),
            ["sample photo"] = File.ReadAllBytes(sample),
        };
    }

    private static byte[] TranslucentPng(int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)x, (byte)y, 90, (byte)((x + y) % 256)));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static float[] MlNetPixels(BackboneDescription backbone, byte[] bytes)
    {
        using var image = MLImage.CreateFromStream(new MemoryStream(bytes));
        return MlNetPixels(backbone, image);
    }

    internal static float[] MlNetPixels(BackboneDescription backbone, MLImage image)
    {
        var ml = new MLContext(seed: 0);
        var transformer = MlNetTransfer.Model.ModelFront.ResizeAndExtract(ml, backbone, nameof(ImageRow.Image)).Fit(ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>()));
        using var engine = ml.Model.CreatePredictionEngine<ImageRow, PixelRow>(transformer);
        return engine.Predict(new ImageRow { Image = image }).Pixels;
    }

    private sealed class ImageRow
    {
        [ImageType(1, 1)]
        public MLImage? Image { get; set; }
    }

    private sealed class PixelRow
    {
        public float[] Pixels { get; set; } = [];
    }
}
