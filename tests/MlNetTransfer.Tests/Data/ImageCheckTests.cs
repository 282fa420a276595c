using MlNetTransfer.Data;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Data;

public class ImageCheckTests
{
    [Fact]
    public void ValidImagePasses()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Path, perClass: 1);
        Assert.Null(ImageCheck.Problem(File.ReadAllBytes(dir.Combine("circle", "circle_000.jpg"))));
    }

    [Fact]
    public void BrokenFilesAreNamedForWhatTheyAre()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Path, perClass: 1, size: 128);
        var truncated = TestImages.TruncatedJpeg(dir.Path, dir.Combine("circle", "circle_000.jpg"));

        Assert.Contains("empty", ImageCheck.Problem(File.ReadAllBytes(TestImages.ZeroByte(dir.Path))));
        Assert.Contains("text", ImageCheck.Problem(File.ReadAllBytes(TestImages.TextNamedJpeg(dir.Path))));
        Assert.Contains("truncated", ImageCheck.Problem(File.ReadAllBytes(truncated)));
        Assert.Equal("a JPEG whose header cannot be read (cut short, damaged, or a kind of JPEG not read here)", ImageCheck.Problem(OddImages.Jpeg(200, 150)[..100]));
        Assert.Equal("a HEIC/HEIF image, a format not read here: convert it to JPEG or PNG", ImageCheck.Problem(OddImages.HeicStart()));
        Assert.Equal("a TIFF image, a format not read here: convert it to JPEG or PNG", ImageCheck.Problem(OddImages.Tiff(16, 16)));
    }

    [Fact]
    public void ImagesOverThePixelLimitAreRefused()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Path, perClass: 1, size: 64);
        var problem = ImageCheck.Problem(File.ReadAllBytes(dir.Combine("circle", "circle_000.jpg")), maxPixels: 1000);
        Assert.Contains("too large", problem);
        Assert.Contains("64x64", problem);
    }
}
