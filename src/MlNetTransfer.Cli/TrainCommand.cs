using System.CommandLine;

namespace MlNetTransfer.Cli;

internal static class TrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var data = new Option<string?>("--data") { Description = "Folder with one sub-folder per class (or train/ and val/ folders). Default: the sample set in data/sample." };
        var config = new Option<string?>("--config") { Description = "Settings file (a run's train.json) to start from; flags given as well override it." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress and no epoch table: only the summary (skipped images, the data check, the result, the files written)." };
        var verbose = CommonOptions.Verbose();
        var settingOptions = new TrainSettingOptions();

        var command = new Command("train", "Train a classifier on a labelled image folder and save the best epoch's model.") { data, config, quiet, verbose };
        foreach (var option in settingOptions.Options) command.Options.Add(option);
        command.SetAction(parse => CommandRunner.Run(error, parse.GetValue(verbose), cancel =>
        {
            // Defaults, then the settings file, then the flags given on the command line.
            var settings = parse.GetValue(config) is { } path ? TrainSettings.Load(path) : new TrainSettings { DataFolder = "" };
            settingOptions.Apply(parse, settings);
            string? dataFolder = parse.GetValue(data) ?? (settings.DataFolder.Length > 0 ? settings.DataFolder : SampleData.Find());
            if (dataFolder is null)
            {
                error.WriteLine($"error: no --data given and the sample set ({SampleData.RelativePath}) was not found from {Directory.GetCurrentDirectory()}.");
                return ExitCodes.Failed;
            }
            settings.DataFolder = dataFolder;

            bool isQuiet = parse.GetValue(quiet);
            var renderer = new TrainingRenderer(output, isQuiet);
            output.WriteLine($"Training on {Path.GetFullPath(dataFolder)}");
            TrainReport report;
            if (!isQuiet && LiveTrainingRenderer.IsWanted(output))
            {
                var live = new LiveTrainingRenderer();
                report = live.Run(() => ImageClassifier.Train(settings, live, cancel));
            }
            else
                report = ImageClassifier.Train(settings, renderer, cancel);
            renderer.Summary(report, settings.OutputFolder);
            return ExitCodes.Ok;
        }, settingOptions.Flags));
        return command;
    }
}
