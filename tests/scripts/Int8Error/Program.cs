using Google.Protobuf;
using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using MlNetTransfer.Backbones;
using MlNetTransfer.Backbones.Int8;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using Onnx;

// Where int8's features part from fp32's on one data set: the int8 graph as training builds it (calibrated on up to 128
// of train/, crop view), then the same graph with parts of it left in float, each compared by the features' cosine to
// the float network's on every k-th image of train/ and val/. Graphs with parts in float run unoptimized, so that ONNX
// Runtime computes exactly what the graph says (its optimizer, given a float convolution between quantize steps, can
// compute something else: see Int8Variants).
if (args.Length < 1) { Console.Error.WriteLine("usage: Int8Error DATA [every=1]"); return 2; }
string root = args[0];
int every = args.Length > 1 ? int.Parse(args[1]) : 1;
var backbone = BackboneRegistry.Get().WithView(ImageView.Crop);
var images = new[] { "train", "val" }.SelectMany(set => ImageDataset.ImageFilesUnder(Path.Combine(root, set))).Order(StringComparer.Ordinal).ToList();
var training = images.Where(p => p.StartsWith(Path.Combine(root, "train"), StringComparison.Ordinal)).ToList();
var calibrationImages = Int8Backbones.Spread(training, Int8Backbones.CalibrationImages).Select(File.ReadAllBytes).ToList();
var calibration = Int8Calibrator.Calibrate(backbone, calibrationImages, ProcessorSupport.NeedsReducedRange);
var pixels = new ImagePixels(backbone);
var inputs = new List<float[]>();
foreach (var path in images.Where((_, i) => i % every == 0))
{
    var values = new float[pixels.Length];
    try { pixels.Decode(File.ReadAllBytes(path), values); inputs.Add(values); }
    catch (Exception e) when (e is not OutOfMemoryException) { Console.Error.WriteLine($"{path}: {e.Message}"); }
}
var variants = new Int8Variants(backbone, calibration);
var runner = new FeatureRunner(backbone.DecodedSize, inputs);
var reference = runner.Features(variants.Float().ToByteArray(), optimized: true);
Console.WriteLine($"{inputs.Count} images, calibrated on {calibration.Images}");

void Report(string what, ModelProto model, bool optimized = false)
{
    var cosines = runner.Features(model.ToByteArray(), optimized).Zip(reference, (a, b) => (double)TensorPrimitives.CosineSimilarity(a, b)).ToList();
    Console.WriteLine($"{what,-58} cosine mean {cosines.Average():F5}, min {cosines.Min():F5}");
}
Report("int8 as shipped (integer kernels)", variants.Int8(), optimized: true);
Report("int8, computed as written", variants.Int8());
Report("weights in float, activations int8", variants.WithFloatWeights());
Report("activations in float, weights int8", variants.WithFloatActivations(variants.QuantizedActivations));
foreach (var tensor in variants.QuantizedActivations)
    Report($"  {tensor} in float", variants.WithFloatActivations([tensor]));

// Speed of the one change that would matter most (the first convolution's input in float), against fp32 and int8:
// ms per image at batch 16 on every core, in turns.
var speed = new (string Name, byte[] Model)[]
{
    ("fp32", variants.Float().ToByteArray()), ("int8", variants.Int8().ToByteArray()),
    ("int8, first convolution in float", variants.WithFloatActivations([variants.QuantizedActivations[0]]).ToByteArray()),
};
for (int round = 0; round < 3; round++)
{
    var ms = speed.Select(s => runner.MillisecondsPerImage(s.Model)).ToArray();
    Console.WriteLine(string.Join(", ", speed.Select((s, i) => $"{s.Name} {ms[i]:F2} ms ({ms[0] / ms[i]:F2} x fp32)")));
}
return 0;
