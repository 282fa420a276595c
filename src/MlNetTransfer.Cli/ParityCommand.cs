using System.CommandLine;
using System.Globalization;
using MlNetTransfer.Benchmarks;

namespace MlNetTransfer.Cli;

internal static class ParityCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = CommonOptions.Model();
        var data = new Option<string>("--data") { Description = "Folder of images (read recursively); sub-folders named as the model's classes give accuracies too.", Required = true };
        var images = new Option<int>("--images") { Description = "Most images to compare.", DefaultValueFactory = _ => 500 };
        var command = new Command("parity", "Compare model.zip (ML.NET's whole-image decode) with the tool's predictors (shrink-on-load) on a folder of images.")
        {
            model, data, images,
        };
        command.SetAction(parse => CommandRunner.Run(error, false, _ =>
        {
            var r = ParityBenchmark.Run(parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(images));
            var inv = CultureInfo.InvariantCulture;
            output.WriteLine(string.Format(inv, "{0} images, {1} decoded at a DCT scale by the fast path", r.Images, r.Shrunk));
            output.WriteLine(string.Format(inv, "feature cosine, fast path to whole decode (shrunk images): mean {0:F5}, min {1:F5}", r.MeanFeatureCosine, r.MinFeatureCosine));
            output.WriteLine(string.Format(inv, "model.zip against ImagePredictor: max |probability difference| {0:G3} (unshrunk images: {1:G3}), same label for {2:P1}", r.MaxProbabilityDifference, r.MaxProbabilityDifferenceUnshrunk, r.Top1Agreement));
            if (r.ZipAccuracy is { } zipAccuracy)
                output.WriteLine(string.Format(inv, "accuracy through model.zip {0:F4}, through ImagePredictor {1:F4}", zipAccuracy, r.FastAccuracy));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
