// The estimator on a folder with train/ and val/ (ants/bees): "accuracy" compares ML.NET's option defaults with the tool's recipe
// defaults over seeds 0-4 (validation accuracy); "reuse" times a Fit that reads cached features against one that does not.
using System.Diagnostics;
using Microsoft.ML;
using MlNetTransfer.Vision;

string root = args[0];
var ml = new MLContext(seed: 1);
IDataView Load(string folder)
{
    var rows = Directory.GetFiles(folder, "*.jpg", SearchOption.AllDirectories).Select(f => new Row { ImagePath = f, Label = Directory.GetParent(f)!.Name }).ToList();
    var view = ml.Data.LoadFromEnumerable(rows);
    return ml.Transforms.Conversion.MapValueToKey("LabelAsKey", "Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
        .Append(ml.Transforms.LoadRawImageBytes("Image", null, "ImagePath")).Fit(view).Transform(view);
}
var train = Load(Path.Combine(root, "train"));
var val = Load(Path.Combine(root, "val"));
string mode = args.Length > 1 ? args[1] : "accuracy";
if (mode == "accuracy")
{
    foreach (var (name, make) in new (string, Func<int, ImageClassificationTrainer.Options>)[]
    {
        ("ICT defaults", seed => new() { FeatureColumnName = "Image", LabelColumnName = "LabelAsKey", ValidationSet = val, Seed = seed }),
        ("recipe defaults", seed => new() { FeatureColumnName = "Image", LabelColumnName = "LabelAsKey", ValidationSet = val, Seed = seed,
            Epoch = 50, BatchSize = 32, LearningRateScheduler = null, EarlyStoppingCriteria = new(0f, 10, ImageClassificationTrainer.EarlyStoppingMetric.Loss) }),
    })
    {
        var accuracies = new List<double>();
        for (int seed = 0; seed < 5; seed++)
        {
            var model = ml.MulticlassClassification.Trainers.ImageClassification(make(seed)).Fit(train);
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(val), labelColumnName: "LabelAsKey");
            accuracies.Add(metrics.MicroAccuracy);
        }
        Console.WriteLine($"{name}: {string.Join(" ", accuracies.Select(a => a.ToString("F4")))}  mean {accuracies.Average():F4} min {accuracies.Min():F4}");
    }
}
else
{
    foreach (bool reuse in new[] { true, false, true, false })
    {
        var clock = Stopwatch.StartNew();
        ml.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
        {
            FeatureColumnName = "Image", LabelColumnName = "LabelAsKey", ValidationSet = val,
            ReuseTrainSetBottleneckCachedValues = reuse, ReuseValidationSetBottleneckCachedValues = reuse,
        }).Fit(train);
        Console.WriteLine($"reuse {reuse}: Fit {clock.Elapsed.TotalSeconds:F1} s");
    }
}
class Row { public string ImagePath { get; set; } = ""; public string Label { get; set; } = ""; }
