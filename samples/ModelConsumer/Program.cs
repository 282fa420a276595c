// Loads a model.zip written by MlNetTransfer and predicts each image given on the command line, exactly as the
// README's snippet does. Prints: path <TAB> predicted label <TAB> comma-separated probabilities (round-trip format).
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
var model = ml.Model.Load(args[0], out _);
var engine = ml.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
foreach (var path in args.Skip(1))
{
    var result = engine.Predict(new ModelInput { ImagePath = path });
    var scores = string.Join(",", result.Score.Select(s => s.ToString("R", CultureInfo.InvariantCulture)));
    Console.WriteLine($"{path}\t{result.PredictedLabel}\t{scores}");
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
