using System.CommandLine;
using System.Globalization;

namespace MlNetTransfer.Cli;

internal static class PredictCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = CommonOptions.Model();
        var images = CommonOptions.Images();
        var cache = CommonOptions.Cache();
        var device = CommonOptions.Device();
        var json = new Option<bool>("--json") { Description = "One JSON object per line and image: path, predictedLabel, score (its probability), unknown and novelty (null for a model without novelty)." };
        var verbose = CommonOptions.Verbose();
        var command = new Command("predict", "Predict the label of each image.") { model, images, cache, device, json, verbose };
        command.SetAction(parse => CommandRunner.Run(error, parse.GetValue(verbose), () =>
        {
            var paths = CommonOptions.ImagePaths(parse.GetValue(images)!);
            ModelWarnings.Write(parse.GetValue(model)!, error);
            var predictions = ImageClassifier.Predict(parse.GetValue(model)!, paths, out var skipped, parse.GetValue(cache), parse.GetValue(device));
            foreach (var p in predictions)
                output.WriteLine(parse.GetValue(json)
                    ? new System.Text.Json.Nodes.JsonObject
                    {
                        ["path"] = p.ImagePath, ["predictedLabel"] = p.PredictedLabel, ["score"] = p.Confidence, ["unknown"] = p.Unknown, ["novelty"] = p.Novelty,
                    }.ToJsonString()
                    : string.Format(CultureInfo.InvariantCulture, "{0}\t{1}\t{2:F4}{3}", p.ImagePath, p.PredictedLabel, p.Confidence, p.Unknown == true ? "\tunknown?" : ""));
            foreach (var s in skipped)
                error.WriteLine($"skipped {s.Path}: {s.Reason}");
            return predictions.Count == 0 && skipped.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        }));
        return command;
    }
}
