// Loads a model.zip written by MlNetTransfer and predicts each image given on the command line, exactly as the
// README's snippet does. Prints: path <TAB> predicted label <TAB> comma-separated probabilities (round-trip format),
// then, for a model with novelty (0.3 and later, unless trained with --novelty none), <TAB> novelty <TAB> unknown.
using System.Globalization;
using System.Reflection;
using Microsoft.ML;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ModelConsumer MODEL.zip IMAGE...");
    return 2;
}
// Which ML.NET ran (a line without a tab, so readers of the predictions skip it).
var mlNet = typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
Console.WriteLine($"Microsoft.ML {mlNet.Split('+')[0]}");
var ml = new MLContext();
var model = ml.Model.Load(args[0], out var inputSchema);
// ML.NET copies the model's ONNX graph into the temp folder (62 MB) and deletes the copy when the model is disposed.
using var disposeModel = model as IDisposable;
// The Novelty and Unknown columns (vectors of one value) exist only in models that have them.
// One engine (one ONNX session), whose output type has them when the model does.
bool hasNovelty = model.GetOutputSchema(inputSchema).GetColumnOrNull("Novelty") is not null;
Func<ModelInput, ModelOutput> predict = hasNovelty
    ? ml.Model.CreatePredictionEngine<ModelInput, ModelOutputWithNovelty>(model).Predict
    : ml.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model).Predict;
foreach (var path in args.Skip(1))
{
    var result = predict(new ModelInput { ImagePath = path });
    var scores = string.Join(",", result.Score.Select(s => s.ToString("R", CultureInfo.InvariantCulture)));
    var novelty = result is ModelOutputWithNovelty n ? $"\t{n.Novelty[0].ToString("R", CultureInfo.InvariantCulture)}\t{n.Unknown[0]}" : "";
    Console.WriteLine($"{path}\t{result.PredictedLabel}\t{scores}{novelty}");
}
return 0;

class ModelInput
{
    public string ImagePath { get; set; } = "";
}

class ModelOutput
{
    public string PredictedLabel { get; set; } = "";
    public float[] Score { get; set; } = [];
}

class ModelOutputWithNovelty : ModelOutput
{
    public float[] Novelty { get; set; } = [];
    public bool[] Unknown { get; set; } = [];
}
