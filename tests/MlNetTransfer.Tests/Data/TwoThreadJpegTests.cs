using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Tests.Support;
using SkiaSharp;

namespace MlNetTransfer.Tests.Data;

/// <summary>
/// A lone prediction decodes a baseline JPEG on two threads. It must give the pixels of the one-call decode bit for
/// bit: the model would otherwise answer differently alone than in a batch, and differently from training.
/// </summary>
public class TwoThreadJpegTests
{
    public static TheoryData<string> Kinds() => [.. Images.Value.Keys];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TwoThreadsGiveTheOneCallDecodesPixels(string kind)
    {
        var bytes = Images.Value[kind];
        var pixels = new ImagePixels(BackboneRegistry.Get());
        float[] oneCall = new float[pixels.Length], twoThreads = new float[pixels.Length];
        var oneCallError = Record.Exception(() => pixels.Decode(bytes, oneCall));
        var twoThreadsError = Record.Exception(() => pixels.Decode(bytes, twoThreads, twoThreads: true));
        Assert.Equal(oneCallError?.Message, twoThreadsError?.Message);
        int differing = Enumerable.Range(0, oneCall.Length).Count(i => oneCall[i] != twoThreads[i]);
        Assert.True(differing == 0, $"{kind}: {differing} of {oneCall.Length} values differ");
    }

    // The theory above would also pass if nothing were ever split: these check that the two-thread path is the one taken,
    // and that its bitmaps equal the one-call decodes they stand for.
    [Fact]
    public void ABaselineJpegIsSplitAndDecodesAsSkiaDecodesItWhole()
    {
        foreach (var jpeg in new[] { OddImages.Jpeg(800, 600), OddImages.GrayscaleJpeg(700, 500), Noisy(640, 480), OddImages.VerticalChromaJpegWithRestarts() })
        {
            using var split = TwoThreadJpeg.DecodeWhole(jpeg);
            using var whole = SKBitmap.Decode(jpeg);
            Assert.NotNull(split);
            Assert.Equal(whole.Info.ColorType, split!.Info.ColorType);
            Assert.Equal((whole.Width, whole.Height, whole.RowBytes), (split.Width, split.Height, split.RowBytes));
            Assert.True(whole.GetPixelSpan().SequenceEqual(split.GetPixelSpan()));
        }
    }

    [Fact]
    public void ALargeJpegShrinksOnTwoThreadsToTheSamePixels()
    {
        var jpeg = Noisy(2600, 1800);
        using var oneCall = ShrinkOnLoad.Decode(jpeg);
        using var split = ShrinkOnLoad.Decode(jpeg, ShrinkOnLoad.DefaultFloor, twoThreads: true);
        Assert.NotNull(oneCall);
        Assert.Equal((1300, 900), (split!.Width, split.Height));
        Assert.True(oneCall!.GetPixelSpan().SequenceEqual(split.GetPixelSpan()));
        using var codec = SKCodec.Create(new MemoryStream(jpeg));
        Assert.NotNull(TwoThreadJpeg.Decode(jpeg, new SKImageInfo(1300, 900, SKColorType.Bgra8888, codec.Info.AlphaType)));
    }

    // Every chroma subsampling Skia writes, at every DCT scale, with a height that is no multiple of the 16-row groups.
    [Fact]
    public void EverySubsamplingAndScaleSplitsToTheOneCallDecodesBitmap()
    {
        foreach (var subsampling in new[] { SKJpegEncoderDownsample.Downsample420, SKJpegEncoderDownsample.Downsample422, SKJpegEncoderDownsample.Downsample444 })
        {
            var jpeg = Noisy(3200, 2401, subsampling);
            using var codec = SKCodec.Create(new MemoryStream(jpeg));
            foreach (float scale in new[] { 1f, 0.5f, 0.25f, 0.125f })
            {
                var size = codec.GetScaledDimensions(scale);
                var info = new SKImageInfo(size.Width, size.Height, SKColorType.Bgra8888, codec.Info.AlphaType);
                using var oneCall = new SKBitmap(info);
                Assert.Equal(SKCodecResult.Success, codec.GetPixels(info, oneCall.GetPixels()));
                using var split = TwoThreadJpeg.Decode(jpeg, info);
                Assert.NotNull(split);
                Assert.True(oneCall.GetPixelSpan().SequenceEqual(split!.GetPixelSpan()), $"{subsampling}, scale {scale}: the pixels differ");
            }
        }
    }

    // A bytes model's decoding step splits a lone JPEG decoded whole too: its image must be ML.NET's own decode's, and
    // so must the pixels ML.NET's resize makes of it (the step's MLImage is premultiplied, ML.NET's own decode opaque).
    [Fact]
    public void TheBytesModelsDecodingStepGivesMlNetsOwnImage()
    {
        foreach (var jpeg in new[] { Noisy(900, 700), OddImages.GrayscaleJpeg(700, 500), OddImages.Jpeg(500, 375) })
        {
            using (var split = TwoThreadJpeg.DecodeWhole(jpeg)) Assert.NotNull(split); // the step takes the two-thread path
            var decoded = new MlNetTransfer.Model.ImageBytesDecoding.DecodedImage();
            MlNetTransfer.Model.ImageBytesDecoding.Decode(new MlNetTransfer.Model.ImageBytesDecoding.EncodedImage { Bytes = jpeg }, decoded);
            using var step = decoded.Image!;
            using var mlnet = Microsoft.ML.Data.MLImage.CreateFromStream(new MemoryStream(jpeg));
            Assert.Equal((mlnet.Width, mlnet.Height, mlnet.PixelFormat), (step.Width, step.Height, step.PixelFormat));
            Assert.True(mlnet.Pixels.SequenceEqual(step.Pixels));
            foreach (var backbone in new[] { BackboneRegistry.Get(), BackboneRegistry.Get() with { Resize = ResizeMode.Stretch } })
                Assert.Equal(ImagePixelsTests.MlNetPixels(backbone, mlnet), ImagePixelsTests.MlNetPixels(backbone, step));
        }
    }

    [Fact]
    public void OnlySequentialJpegsAreSplit()
    {
        Assert.True(TwoThreadJpeg.CanSplit(OddImages.Jpeg(30, 20)));
        Assert.True(TwoThreadJpeg.CanSplit(OddImages.GrayscaleJpeg(30, 20)));
        Assert.True(TwoThreadJpeg.CanSplit(OddImages.ExifRotatedJpeg(30, 20))); // an APP1 segment before the frame
        Assert.False(TwoThreadJpeg.CanSplit(OddImages.ProgressiveJpeg()));
        Assert.False(TwoThreadJpeg.CanSplit(OddImages.ScanPerComponentJpeg()));
        Assert.False(TwoThreadJpeg.CanSplit(OddImages.GrayscalePng(30)));
        var whole = OddImages.Jpeg(30, 20);
        Assert.False(TwoThreadJpeg.CanSplit(whole[..40])); // cut before its frame header
        Assert.False(TwoThreadJpeg.CanSplit(whole[..^10])); // cut in its scan
        Assert.True(TwoThreadJpeg.CanSplit([.. whole, .. "trailer written by a phone"u8.ToArray()]));
        for (int length = 0; length < whole.Length; length++) TwoThreadJpeg.CanSplit(whole[..length]); // no cut throws
        Assert.True(TwoThreadJpeg.CanSplit(OddImages.VerticalChromaJpegWithRestarts()));
        Assert.Null(TwoThreadJpeg.DecodeWhole(OddImages.Jpeg(100, 80))); // too small to gain
    }

    private static readonly Lazy<Dictionary<string, byte[]>> Images = new(() =>
    {
        var large = Noisy(2600, 1800);
        return new Dictionary<string, byte[]>
        {
            ["large jpeg, shrinks"] = large,
            ["large jpeg, cut short"] = large[..(large.Length * 2 / 3)],
            ["jpeg decoded whole"] = Noisy(900, 700),
            ["tall jpeg"] = OddImages.Jpeg(400, 900),
            ["grayscale jpeg"] = OddImages.GrayscaleJpeg(700, 500),
            ["exif rotated"] = OddImages.ExifRotatedJpeg(640, 480),
            ["cmyk jpeg"] = OddImages.CmykJpeg(),
            ["progressive jpeg"] = OddImages.ProgressiveJpeg(),
            ["small jpeg"] = OddImages.Jpeg(120, 90),
            ["png"] = OddImages.GrayscalePng(400),
        };
    });

    // Detail in every block, unlike the smooth gradients: the inverse DCT and upsampling have work at every row.
    private static byte[] Noisy(int width, int height, SKJpegEncoderDownsample subsampling = SKJpegEncoderDownsample.Downsample420)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Opaque));
        var pixels = new byte[bitmap.ByteCount];
        var random = new Random(7);
        for (int y = 0, i = 0; y < height; y++)
            for (int x = 0; x < width; x++, i += 4)
            {
                pixels[i] = (byte)((x ^ y) & 0xFF);
                pixels[i + 1] = (byte)(y + random.Next(64));
                pixels[i + 2] = (byte)(x + random.Next(64));
                pixels[i + 3] = 255;
            }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(new SKJpegEncoderOptions(90, subsampling, SKJpegEncoderAlphaOption.Ignore));
        return data.ToArray();
    }
}
