using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Features;

public class Int8PrecisionChoiceTests
{
    private static readonly BackboneDescription Fp32 = BackboneRegistry.Get();

    // auto takes int8 only where it was measured (embedded backbone, CPU, VNNI) and says why it did not elsewhere;
    // an explicit int8 that cannot run is an error, never a silent fp32.
    [Fact]
    public void AutoTakesInt8OnlyForTheEmbeddedBackboneOnACpuWithVnni()
    {
        using var dir = new TempDir();
        TinyClassifier.Write(dir.Combine("tiny.onnx"));
        var custom = CustomBackbone.Describe(dir.Combine("tiny.onnx"));

        Assert.Equal(Precision.Int8, PrecisionChoice.Resolve(Precision.Auto, Fp32, ComputeDevice.Cpu, hasVnni: true).Precision);
        Assert.Contains("VNNI", PrecisionChoice.Resolve(Precision.Auto, Fp32, ComputeDevice.Cpu, hasVnni: false) is { Precision: Precision.Fp32 } noVnni ? noVnni.Reason : "int8 chosen");
        Assert.Contains("GPU", PrecisionChoice.Resolve(Precision.Auto, Fp32, ComputeDevice.Cuda, hasVnni: true) is { Precision: Precision.Fp32 } gpu ? gpu.Reason : "int8 chosen");
        Assert.Contains("custom", PrecisionChoice.Resolve(Precision.Auto, custom, ComputeDevice.Cpu, hasVnni: true) is { Precision: Precision.Fp32 } own ? own.Reason : "int8 chosen");
        Assert.Equal(Precision.Fp32, PrecisionChoice.Resolve(Precision.Fp32, Fp32, ComputeDevice.Cpu, hasVnni: true).Precision);
        Assert.Throws<ArgumentException>(() => PrecisionChoice.Resolve(Precision.Int8, custom, ComputeDevice.Cpu, hasVnni: true));
        Assert.Throws<ArgumentException>(() => PrecisionChoice.Resolve(Precision.Int8, Fp32, ComputeDevice.Cuda, hasVnni: true));
    }

    // Added training images change which ones a fresh calibration would take; the stored one is kept while its images
    // are all still there with the same contents (so cached int8 features stay valid), and made again when one is gone
    // or changed, or when the caller names no data set to check against.
    [Fact]
    public void ACalibrationIsKeptWhileItsImagesAreAllStillInTheDataSet()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 4, size: 64);
        TestImages.ShapeDataset(dir.Combine("more"), perClass: 1, seed: 11, size: 64);
        var first = Images(dir.Combine("data"));
        var added = first.Concat(Images(dir.Combine("more"))).ToList();
        const int calibrationImages = 6;
        Assert.NotEqual(Chosen(first), Chosen(added)); // else the test would prove nothing
        int made = 0, kept = 0;
        BackboneDescription Quantize(List<LabelledImage> training, string cache = "cache", bool checkPresent = true) => Int8Backbones.Quantize(Fp32, training,
            b => FeatureCache.For(b, dir.Combine(cache)), calibrating: _ => made++, present: checkPresent ? training : null, reused: images => kept = images,
            calibrationImages: calibrationImages);

        var original = Quantize(first).Int8!;
        Assert.Equal((1, 0), (made, kept));
        Assert.Equal(original.Signature, Quantize(added).Int8!.Signature);
        Assert.Equal((1, calibrationImages), (made, kept));

        kept = 0;
        Assert.NotEqual(original.Signature, Quantize(added, checkPresent: false).Int8!.Signature); // exactly the chosen images: made anew
        Assert.Equal((2, 0), (made, kept));

        Assert.Equal(original.Signature, Quantize(first, "other cache").Int8!.Signature);
        File.Copy(Images(dir.Combine("more"))[0].Path, Chosen(first)[0], overwrite: true); // same path, other contents
        Assert.NotEqual(original.Signature, Quantize(added, "other cache").Int8!.Signature);
        Assert.Equal((4, 0), (made, kept));

        List<string> Chosen(List<LabelledImage> training) => Int8Backbones.Spread(training.OrderBy(i => i.Path, StringComparer.Ordinal).ToList(), calibrationImages).Select(i => i.Path).ToList();
    }

    private static List<LabelledImage> Images(string folder) =>
        Directory.GetFiles(folder, "*.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(p => new LabelledImage(p, 0)).ToList();
}
