using System.CommandLine;
using System.Globalization;
using MlNetTransfer.Features;

namespace MlNetTransfer.Cli;

internal static class ExtractCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var data = new Option<string>("--data") { Description = "Folder of images (read recursively), as train would read it.", Required = true };
        var config = new Option<string?>("--config") { Description = "Settings file (a run's train.json) to start from, as for train." };
        var shard = new Option<string>("--shard") { Description = "K/N: extract only the K-th (from 0) of N disjoint shares, e.g. $JOB_COMPLETION_INDEX/4.", DefaultValueFactory = _ => Shard.All.ToString() };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the network's precision and the summary." };
        var verbose = CommonOptions.Verbose();
        // train's own flags: the features train will need depend on its view, precision, backbone and split (int8
        // calibrates on the training images), so extract takes them all; those of the head are simply not used.
        var settingOptions = new TrainSettingOptions();
        var command = new Command("extract", "Fill the feature cache with a data set's features (or one share of them), so that train with the same flags extracts nothing.")
        {
            data, config, shard, quiet, verbose,
        };
        foreach (var option in settingOptions.Options) command.Options.Add(option);
        command.SetAction(parse => CommandRunner.Run(error, parse.GetValue(verbose), cancel =>
        {
            var settings = parse.GetValue(config) is { } path ? TrainSettings.Load(path) : new TrainSettings { DataFolder = "" };
            settingOptions.Apply(parse, settings);
            settings.DataFolder = parse.GetValue(data)!;
            Shard share;
            try { share = Shard.Parse(parse.GetValue(shard)!); }
            catch (ArgumentException e) { throw new UsageException($"--shard: {e.Message}"); }
            var inv = CultureInfo.InvariantCulture;
            var lastPrint = System.Diagnostics.Stopwatch.StartNew();
            var progress = parse.GetValue(quiet) ? null : new SyncProgress<ExtractionProgress>(p =>
            {
                if (p.Done != p.Total && lastPrint.Elapsed.TotalSeconds < 2) return;
                lastPrint.Restart();
                lock (output) output.WriteLine(TrainingRenderer.FeaturesLine(p));
            });
            // Printed first (under --quiet too): with auto, the precision is decided per machine, and processes that fill one
            // cache together must agree with each other and with the train that follows.
            var result = ImageClassifier.Extract(settings, share, progress, cancel,
                precisionChosen: precision => { lock (output) output.WriteLine($"Network: {precision.Name} ({precision.Reason})."); });
            foreach (var s in result.Skipped) output.WriteLine($"skipped {s.Path}: {s.Reason}");
            output.WriteLine(string.Format(inv, "Shard {0}: {1} features (one per image and view), {2} from cache, {3} extracted in {4:F1} s, {5} skipped.",
                share, result.Images, result.FromCache, result.Extracted, result.Seconds, result.Skipped.Count));
            return ExitCodes.Ok;
        }, settingOptions.Flags));
        return command;
    }
}
