using System.CommandLine;
using System.Globalization;
using MlNetTransfer.Model;

namespace MlNetTransfer.Cli;

/// <summary>explain: where the model looked for each image's answer (Grad-CAM), written as overlays.</summary>
internal static class ExplainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = CommonOptions.Model();
        var images = CommonOptions.Images();
        var folder = new Option<string>("--output", "-o") { Description = "Folder for the overlays (IMAGE.explain.png: the network's view with the heatmap over it).", Required = true };
        var verbose = CommonOptions.Verbose();
        var command = new Command("explain", "Show where the model looked for its answer: a heatmap over each image (Grad-CAM).") { model, images, folder, verbose };
        command.SetAction(parse => CommandRunner.Run(error, parse.GetValue(verbose), () =>
        {
            var paths = CommonOptions.ImagePaths(parse.GetValue(images)!);
            string outputFolder = parse.GetValue(folder)!;
            Directory.CreateDirectory(outputFolder);
            ModelWarnings.Write(parse.GetValue(model)!, error);
            using var explainer = new Explainer(ModelFile.Read(parse.GetValue(model)!)); // Grad-CAM's session only: no prediction session beside it
            var written = new HashSet<string>(StringComparer.Ordinal);
            int explained = 0;
            foreach (var path in paths)
            {
                Explanation explanation;
                try
                {
                    explanation = explainer.Explain(path);
                }
                catch (InvalidDataException e) // a file that cannot be read or decoded; the message names it
                {
                    error.WriteLine($"skipped {e.Message}");
                    continue;
                }
                string overlay = OverlayPath(outputFolder, path, written);
                IO.AtomicFile.Write(overlay, explanation.OverlayPng);
                string peak = explanation.Peak is var (x, y) ? string.Format(CultureInfo.InvariantCulture, "peak {0:F2},{1:F2}", x, y) : "no peak";
                output.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0}\t{1}\t{2:F4}\t{3}\t{4}",
                    path, explanation.Prediction.PredictedLabel, explanation.Prediction.Confidence, overlay, peak));
                explained++;
            }
            return explained == 0 && paths.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        }));
        return command;
    }

    // IMAGE.explain.png, numbered when two images of one name come from different folders.
    private static string OverlayPath(string folder, string image, HashSet<string> written)
    {
        string stem = Path.GetFileNameWithoutExtension(image), path = Path.Combine(folder, stem + ".explain.png");
        for (int i = 2; !written.Add(path); i++) path = Path.Combine(folder, $"{stem}-{i}.explain.png");
        return path;
    }
}
