using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Training;

// int8 against fp32 on one labelled data set, with more predictions than its validation split gives: every image
// (train/ and val/) in repeated stratified k-fold cross-validation of the default head, the same folds for both
// precisions (paired), int8 calibrated on train/ as `train` calibrates it. A 15-image validation split moves 6.7
// points per image; this counts each image once per repeat. Features come from (and go to) the default cache.
if (args.Length < 1) { Console.Error.WriteLine("usage: PrecisionCv DATA [folds=5] [repeats=10]"); return 2; }
string root = args[0];
int folds = args.Length > 1 ? int.Parse(args[1]) : 5, repeats = args.Length > 2 ? int.Parse(args[2]) : 10;
var classes = Directory.GetDirectories(Path.Combine(root, "train")).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();
var images = new[] { "train", "val" }
    .SelectMany(set => classes.SelectMany((c, label) => ImageDataset.ImageFilesUnder(Path.Combine(root, set, c)).Select(p => new LabelledImage(p, label))))
    .ToList();
var fp32 = BackboneRegistry.Get().WithView(ImageView.Crop);
var int8 = Int8Backbones.Quantize(fp32, images.Where(i => i.Path.StartsWith(Path.Combine(root, "train"), StringComparison.Ordinal)).ToList(), b => FeatureCache.For(b));
var fp32Features = Features(fp32);
var int8Features = Features(int8);
images = images.Where(i => fp32Features.ContainsKey(i.Path) && int8Features.ContainsKey(i.Path)).ToList();
var cosines = images.Select(i => Cosine(fp32Features[i.Path], int8Features[i.Path])).ToList();
Console.WriteLine($"feature cosine int8 to fp32 over {images.Count} images: mean {cosines.Average():F5}, min {cosines.Min():F5}");

int predictions = 0, fp32Right = 0, int8Right = 0, onlyFp32 = 0, onlyInt8 = 0;
var net = new int[images.Count]; // per image: times right in int8 only minus times right in fp32 only
for (int seed = 0; seed < repeats; seed++)
{
    var random = new Random(seed);
    var fold = new int[images.Count];
    for (int c = 0; c < classes.Count; c++)
    {
        var members = Enumerable.Range(0, images.Count).Where(i => images[i].Label == c).OrderBy(_ => random.Next()).ToArray();
        for (int k = 0; k < members.Length; k++) fold[members[k]] = k % folds;
    }
    for (int f = 0; f < folds; f++)
    {
        var held = Enumerable.Range(0, images.Count).Where(i => fold[i] == f).ToList();
        var kept = Enumerable.Range(0, images.Count).Where(i => fold[i] != f).ToList();
        var a = Right(fp32Features, kept, held, seed);
        var b = Right(int8Features, kept, held, seed);
        predictions += held.Count;
        fp32Right += a.Count(r => r);
        int8Right += b.Count(r => r);
        onlyFp32 += a.Zip(b).Count(p => p.First && !p.Second);
        onlyInt8 += a.Zip(b).Count(p => !p.First && p.Second);
        for (int j = 0; j < held.Count; j++) net[held[j]] += (b[j] ? 1 : 0) - (a[j] ? 1 : 0);
    }
}
Console.WriteLine($"{images.Count} images, {repeats} x {folds}-fold: fp32 {(double)fp32Right / predictions:F4}, int8 {(double)int8Right / predictions:F4}, " +
    $"int8 - fp32 {100.0 * (int8Right - fp32Right) / predictions:+0.00;-0.00} points; right in fp32 only {onlyFp32}, in int8 only {onlyInt8}, of {predictions}");
// The repeats share the images, so the difference's uncertainty is over images: each image's mean difference across
// the repeats, their standard error (how far another set of as many images from the same source might land).
var perImage = net.Select(v => 100.0 * v / repeats).ToArray();
double mean = perImage.Average(), se = Math.Sqrt(perImage.Sum(v => (v - mean) * (v - mean)) / (perImage.Length - 1) / perImage.Length);
Console.WriteLine($"standard error over the {images.Count} images: {se:F2} points; images that differ at all: {net.Count(v => v != 0)}");
return 0;

static double Cosine(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b);

Dictionary<string, float[]> Features(BackboneDescription backbone)
{
    using var extractor = new FeatureExtractor(backbone, cache: FeatureCache.For(backbone));
    return new Dictionary<string, float[]>(extractor.Extract(images).Features);
}

// The default head trained on the kept folds (best epoch by the held fold's loss, as `train` keeps it), right or wrong on each held image.
bool[] Right(Dictionary<string, float[]> features, List<int> kept, List<int> held, int seed)
{
    FeatureSet Set(List<int> indices) => new(indices.Select(i => features[images[i].Path]).ToList(), indices.Select(i => images[i].Label).ToList());
    var result = HeadTrainer.Train(Set(kept), Set(held), classes.Count, new TrainingOptions { Seed = seed });
    var probabilities = HeadTrainer.Predict(result.BestWeights, Set(held));
    return held.Select((i, j) => Array.IndexOf(probabilities[j], probabilities[j].Max()) == images[i].Label).ToArray();
}
