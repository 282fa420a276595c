using MlNetTransfer.Backbones;
using MlNetTransfer.Backbones.Int8;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Features;

public class Int8PrecisionChoiceTests
{
    private static readonly BackboneDescription Fp32 = BackboneRegistry.Get();
    private const int CalibrationImages = 6;

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
        Assert.Throws<MlNetTransferException>(() => PrecisionChoice.Resolve(Precision.Int8, custom, ComputeDevice.Cpu, hasVnni: true));
        Assert.Throws<MlNetTransferException>(() => PrecisionChoice.Resolve(Precision.Int8, Fp32, ComputeDevice.Cuda, hasVnni: true));
    }

    // A model with 8-bit weights (calibrated where VNNI is) warns where VNNI is not, since its products may saturate
    // there; 7-bit weights, or a processor with VNNI, need no warning.
    [Fact]
    public void AnInt8ModelWithEightBitWeightsWarnsOnAProcessorWithoutVnni()
    {
        var eightBit = new Int8Calibration { Ranges = new Dictionary<string, float[]>(), Method = Int8Calibrator.Method, Images = 1, ReducedRange = false };
        Assert.Contains("no VNNI", eightBit.ProcessorWarning(needsReducedRange: true));
        Assert.Null(eightBit.ProcessorWarning(needsReducedRange: false));
        Assert.Null((eightBit with { ReducedRange = true }).ProcessorWarning(needsReducedRange: true));
    }

    // A calibration is reused for exactly its images only: the same training images build nothing, added ones (which
    // change the images a calibration takes) make a new one, so a run's figures never depend on the cache's history.
    [Fact]
    [Trait("Category", "Slow")]
    public void ACalibrationIsReusedForExactlyItsImages()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 4, size: 64);
        TestImages.ShapeDataset(dir.Combine("more"), perClass: 1, seed: 11, size: 64);
        var first = Labelled(dir.Combine("data"));
        var added = first.Concat(Labelled(dir.Combine("more"))).ToList();
        Assert.NotEqual(Chosen(first), Chosen(added)); // else the test would prove nothing
        int made = 0;
        BackboneDescription Quantize(List<LabelledImage> training) => Int8Backbones.Quantize(Fp32, training,
            b => FeatureCache.For(b, dir.Combine("cache")), calibrating: _ => made++, calibrationImages: CalibrationImages);

        var original = Quantize(first).Int8!;
        Assert.Equal(original.Signature, Quantize(first).Int8!.Signature);
        Assert.Equal(1, made);
        Assert.NotEqual(original.Signature, Quantize(added).Int8!.Signature);
        Assert.Equal(2, made);
    }

    private static List<string> Chosen(List<LabelledImage> training) =>
        MlNetTransfer.Data.LabelledImage.Spread(training.OrderBy(i => i.Path, StringComparer.Ordinal).ToList(), CalibrationImages).Select(i => i.Path).ToList();

    // One label per class folder (circle, square, triangle), as the data set gives them.
    private static List<LabelledImage> Labelled(string folder)
    {
        var classes = Directory.GetDirectories(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        return Directory.GetFiles(folder, "*.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => new LabelledImage(p, classes.IndexOf(Path.GetFileName(Path.GetDirectoryName(p))))).ToList();
    }
}
