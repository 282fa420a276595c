using System.Numerics.Tensors;
using Google.Protobuf;
using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using Onnx;

// Where int8's features part from fp32's on one data set: the int8 graph as `train` builds it (calibrated on up to 128
// of the training images, crop view), then the same graph with parts of it left in float, each compared by the
// features' cosine to the float network's on every k-th image of the data set (the calibration's images among them).
// Graphs with parts in float run unoptimized, so that ONNX Runtime computes exactly what the graph says (its optimizer,
// given float convolutions between quantize steps, can compute something else: every convolution's weights in float
// gave 0.99084 optimized against 0.99760 as written on the camera photos).
if (args.Length < 1) { Console.Error.WriteLine("usage: Int8Error DATA [every=1]"); return 2; }
var dataset = ImageDataset.Load(args[0]);
int every = args.Length > 1 ? int.Parse(args[1]) : 1;
var backbone = BackboneRegistry.Get().WithView(ImageView.Crop);
var calibration = Int8Backbones.Quantize(backbone, dataset.Train, _ => null).Int8!; // as training calibrates, nothing cached
var pixels = new ImagePixels(backbone);
var inputs = new List<float[]>();
foreach (var image in dataset.Train.Concat(dataset.Validation).Concat(dataset.Test).OrderBy(i => i.Path, StringComparer.Ordinal).Where((_, i) => i % every == 0))
{
    var values = new float[pixels.Length];
    try { pixels.Decode(File.ReadAllBytes(image.Path), values); inputs.Add(values); }
    catch (Exception e) when (e is not OutOfMemoryException) { Console.Error.WriteLine($"{image.Path}: {e.Message}"); }
}
var variants = new Int8Variants(backbone, calibration);
var runner = new FeatureRunner(backbone.DecodedSize, inputs);
var reference = runner.Features(variants.Float().ToByteArray(), optimized: true);
Console.WriteLine($"{inputs.Count} images, calibrated on {calibration.Images} of them");

void Report(string what, ModelProto model, bool optimized = false)
{
    var cosines = runner.Features(model.ToByteArray(), optimized).Zip(reference, (a, b) => (double)TensorPrimitives.CosineSimilarity(a, b)).ToList();
    Console.WriteLine($"{what,-62} cosine mean {cosines.Average():F5}, min {cosines.Min():F5}");
}
Report("int8 as shipped (integer kernels)", variants.Int8(), optimized: true);
Report("int8, computed as written", variants.Int8());
Report("weights in float, activations int8", variants.WithFloatWeights());
Report("activations in float, weights int8", variants.WithFloatActivations(variants.QuantizedActivations));
foreach (var tensor in variants.QuantizedActivations)
    Report($"  {tensor} in float", variants.WithFloatActivations([tensor]));
var floatFirstInput = variants.WithFloatActivations([variants.FirstConvolutionInput]);
Report("first convolution's input in float, optimized (as timed below)", floatFirstInput, optimized: true);

// Speed of the one change that would matter most, against fp32 and int8: ms per image at batch 16 on every core, in turns.
var speed = new (string Name, byte[] Model)[]
{
    ("fp32", variants.Float().ToByteArray()), ("int8", variants.Int8().ToByteArray()),
    ("int8, first convolution's input in float", floatFirstInput.ToByteArray()),
};
for (int round = 0; round < 3; round++)
{
    var ms = speed.Select(s => runner.MillisecondsPerImage(s.Model)).ToArray();
    Console.WriteLine(string.Join(", ", speed.Select((s, i) => $"{s.Name} {ms[i]:F2} ms ({ms[0] / ms[i]:F2} x fp32)")));
}
return 0;
