// The estimator's peak memory against the number of images: writes N noise JPEGs of about 150 KB (two classes) under
// FOLDER (kept between runs), fits the estimator on them through LoadRawImageBytes (a byte[] column, as ported ML.NET
// code reads images) with an empty workspace, and prints the process's peak resident memory (VmHWM). Run each N in a
// fresh process: dotnet run -c Release -- 500 /tmp/estimator-memory; then 5000.
using Microsoft.ML;
using MlNetTransfer.Vision;
using SkiaSharp;

int count = int.Parse(args[0]);
string folder = Path.Combine(args[1], "images");
Directory.CreateDirectory(folder);
var random = new Random(1);
var rows = new List<Row>();
for (int i = 0; i < count; i++)
{
    string path = Path.Combine(folder, $"{i:D5}.jpg");
    if (!File.Exists(path))
    {
        using var bitmap = new SKBitmap(400, 400);
        var pixels = new byte[400 * 400 * 4];
        random.NextBytes(pixels);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        File.WriteAllBytes(path, encoded.ToArray());
    }
    rows.Add(new Row { ImagePath = path, Label = i % 2 == 0 ? "a" : "b" });
}
var ml = new MLContext(seed: 1);
var view = ml.Data.LoadFromEnumerable(rows);
var data = ml.Transforms.Conversion.MapValueToKey("LabelAsKey", "Label")
    .Append(ml.Transforms.LoadRawImageBytes("Image", null, "ImagePath")).Fit(view).Transform(view);
string workspace = Path.Combine(args[1], $"workspace-{Guid.NewGuid():N}");
var clock = System.Diagnostics.Stopwatch.StartNew();
ml.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
{
    FeatureColumnName = "Image", LabelColumnName = "LabelAsKey", WorkspacePath = workspace, Epoch = 2,
}).Fit(data);
Directory.Delete(workspace, recursive: true);
string peak = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
Console.WriteLine($"{count} images: fit in {clock.Elapsed.TotalSeconds:F1} s, peak memory {peak["VmHWM:".Length..].Trim()}");

sealed class Row
{
    public string ImagePath { get; set; } = "";
    public string Label { get; set; } = "";
}
