using System.CommandLine;
using System.Globalization;

namespace MlNetTransfer.Cli;

internal static class EvaluateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = CommonOptions.Model();
        var data = new Option<string>("--data") { Description = "Labelled folder (one sub-folder per class) to evaluate on.", Required = true };
        var cache = CommonOptions.Cache();
        var device = CommonOptions.Device();
        var reportFolder = new Option<string>("--output") { Description = "Folder for report.html and the chart PNGs.", DefaultValueFactory = _ => "runs/evaluate" };
        var unknown = new Option<string?>("--unknown") { Description = "A folder of images of none of the model's classes: reports how well the novelty tells them from the labelled images (AUROC) and the share flagged unknown." };
        var verbose = CommonOptions.Verbose();
        var command = new Command("evaluate", "Accuracy, per-class precision/recall/F1 and the confusion matrix of a model on a labelled folder.")
        {
            model, data, cache, device, reportFolder, unknown, verbose,
        };
        command.SetAction(parse => CommandRunner.Run(error, parse.GetValue(verbose), cancel =>
        {
            ModelWarnings.Write(parse.GetValue(model)!, error);
            var report = ImageClassifier.Evaluate(parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(cache), cancel: cancel, device: parse.GetValue(device),
                unknownFolder: parse.GetValue(unknown));
            var inv = CultureInfo.InvariantCulture;
            output.WriteLine(string.Format(inv, "Accuracy: {0:F4} on {1} images", report.Accuracy, report.Count));
            int width = Math.Max(8, report.Classes.Max(c => c.Length));
            output.WriteLine($"{"class".PadRight(width)}  precision  recall      f1  support");
            foreach (var c in report.PerClass)
                output.WriteLine(string.Format(inv, "{0}  {1,9:F4}  {2,6:F4}  {3,6:F4}  {4,7}", c.Class.PadRight(width), c.Precision, c.Recall, c.F1, c.Support));
            output.WriteLine("Confusion matrix (rows: actual, columns: predicted):");
            output.WriteLine($"{"".PadRight(width)}  {string.Join("  ", report.Classes.Select(c => c.PadLeft(width)))}");
            for (int i = 0; i < report.Classes.Count; i++)
                output.WriteLine($"{report.Classes[i].PadRight(width)}  {string.Join("  ", report.ConfusionMatrix[i].Select(v => v.ToString(inv).PadLeft(width)))}");
            if (report.UnknownAuroc is { } auroc)
                output.WriteLine(string.Format(inv, "Unknown images: AUROC {0:F4} (novelty, {1} unknown against {2} labelled images); flagged unknown: {3:P1} of the unknown, {4:P1} of the labelled images",
                    auroc, report.UnknownPredictions.Count, report.Count, report.UnknownFlagged, report.KnownFlagged));
            foreach (var s in report.Skipped)
                output.WriteLine($"skipped {s.Path}: {s.Reason}");
            var html = Reports.HtmlReport.Write(parse.GetValue(reportFolder)!, $"MlNetTransfer evaluation: {Path.GetFileName(Path.GetFullPath(parse.GetValue(data)!))}", report,
                modelPath: parse.GetValue(model));
            output.WriteLine($"Report: {Path.GetFullPath(html)}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
