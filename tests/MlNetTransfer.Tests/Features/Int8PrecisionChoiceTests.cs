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

    // Added training images change which ones a fresh calibration would take; the stored one is kept (so cached int8
    // features stay valid), also when it was stored before its list of images existed, and made anew when the caller
    // names no data set to check against.
    [Fact]
    public void ACalibrationIsKeptWhenTrainingImagesAreAdded()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 4, size: 64);
        TestImages.ShapeDataset(dir.Combine("more"), perClass: 1, seed: 11, size: 64);
        var first = Labelled(dir.Combine("data"));
        var added = first.Concat(Labelled(dir.Combine("more"))).ToList();
        Assert.NotEqual(Chosen(first), Chosen(added)); // else the test would prove nothing
        int made = 0, kept = 0;
        BackboneDescription Quantize(List<LabelledImage> training, bool checkPresent = true) => Int8Backbones.Quantize(Fp32, training,
            b => FeatureCache.For(b, dir.Combine("cache")), calibrating: _ => made++, present: checkPresent ? training : null, reused: images => kept = images,
            calibrationImages: CalibrationImages);

        var original = Quantize(first).Int8!;
        Assert.Equal((1, 0), (made, kept));
        var list = Assert.Single(Directory.GetFiles(dir.Combine("cache"), "int8-calibrated-on-*.json", SearchOption.AllDirectories));
        File.Delete(list); // as a calibration made before the lists existed: reading it writes its list
        Quantize(first);
        Assert.True(File.Exists(list));

        Assert.Equal(original.Signature, Quantize(added).Int8!.Signature);
        Assert.Equal((1, CalibrationImages), (made, kept));

        kept = 0;
        Assert.NotEqual(original.Signature, Quantize(added, checkPresent: false).Int8!.Signature); // exactly the chosen images: made anew
        Assert.Equal((2, 0), (made, kept));
    }

    // The stored calibration is not kept when one of its images is gone or changed (also one the new choice does not
    // read), when a class a fresh calibration would draw from has no image in it, when the training images have more
    // than doubled, or when it has fewer images than a fresh one would.
    [Fact]
    public void ACalibrationIsMadeAgainWhenItsImagesNoLongerRepresentTheData()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 4, size: 64);
        TestImages.ShapeDataset(dir.Combine("more"), perClass: 1, seed: 11, size: 64);
        TestImages.ShapeDataset(dir.Combine("many"), perClass: 5, seed: 13, size: 64);
        var first = Labelled(dir.Combine("data"));
        var added = first.Concat(Labelled(dir.Combine("more"))).ToList();
        var cache = FeatureCache.For(Fp32, dir.Combine("cache")).BackboneFolder;
        Int8Backbones.Quantize(Fp32, first, b => FeatureCache.For(b, dir.Combine("cache")), calibrationImages: CalibrationImages);
        string basis = Int8Backbones.CalibrationBasis(Fp32, ProcessorSupport.NeedsReducedRange);
        bool Kept(List<LabelledImage> training, int atLeast = CalibrationImages, Dictionary<string, byte[]>? known = null) => CalibrationReuse.Find(cache, basis, training, training,
            atLeast, ChosenImages(training).Select(i => i.Label), known ?? [], default) is not null;

        Assert.True(Kept(added));
        Assert.False(Kept(added.Where(i => i.Path != Chosen(first)[0]).ToList()));                              // one is gone
        Assert.False(Kept(added.Select(i => i with { Label = i.Path.StartsWith(dir.Combine("more"), StringComparison.Ordinal) ? 3 : i.Label }).ToList())); // a class without one
        Assert.False(Kept(added.Concat(Labelled(dir.Combine("many"))).ToList()));                              // 30 images against 12 then
        Assert.False(Kept(added, atLeast: CalibrationImages + 1));                                              // fewer than a fresh one
        Assert.False(Kept(added, known: new() { [Chosen(first)[1]] = new byte[32] }));                          // a hash known to differ
        var notChosenNow = Chosen(first).First(p => !Chosen(added).Contains(p));
        File.Copy(Labelled(dir.Combine("more"))[0].Path, notChosenNow, overwrite: true);                      // same path, other contents
        Assert.False(Kept(added));
    }

    private static List<string> Chosen(List<LabelledImage> training) => ChosenImages(training).Select(i => i.Path).ToList();

    private static List<LabelledImage> ChosenImages(List<LabelledImage> training) =>
        Int8Backbones.Spread(training.OrderBy(i => i.Path, StringComparer.Ordinal).ToList(), CalibrationImages).ToList();

    // One label per class folder (circle, square, triangle), as the data set gives them.
    private static List<LabelledImage> Labelled(string folder)
    {
        var classes = Directory.GetDirectories(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        return Directory.GetFiles(folder, "*.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => new LabelledImage(p, classes.IndexOf(Path.GetFileName(Path.GetDirectoryName(p))))).ToList();
    }
}
