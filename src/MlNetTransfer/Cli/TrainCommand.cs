using System.CommandLine;
using MlNetTransfer.Training;

namespace MlNetTransfer.Cli;

internal static class TrainCommand
{
    public const string DefaultOutput = "runs/train";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var defaults = new TrainingOptions();
        var data = new Option<string?>("--data") { Description = "Folder with one sub-folder per class (or train/ and val/ folders). Default: the sample set in data/sample." };
        var outputDir = new Option<string>("--output") { Description = "Folder for model.zip and metrics.json.", DefaultValueFactory = _ => DefaultOutput };
        var cache = new Option<string?>("--cache") { Description = "Feature cache folder. Default: $MLNETTRANSFER_CACHE or ~/.cache/mlnettransfer." };
        var noCache = new Option<bool>("--no-cache") { Description = "Extract every image afresh and store nothing." };
        var fraction = new Option<double>("--validation-fraction") { Description = "Share of each class held out for validation when the data has no train/val folders.", DefaultValueFactory = _ => 0.2 };
        var epochs = new Option<int>("--epochs") { Description = "Most epochs (early stopping may end sooner).", DefaultValueFactory = _ => defaults.Epochs };
        var batch = new Option<int>("--batch-size") { Description = "Samples per SGD step.", DefaultValueFactory = _ => defaults.BatchSize };
        var lr = new Option<float>("--learning-rate") { Description = "SGD learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        var momentum = new Option<float>("--momentum") { Description = "SGD momentum.", DefaultValueFactory = _ => defaults.Momentum };
        var dropout = new Option<float>("--dropout") { Description = "Dropout after the hidden layer.", DefaultValueFactory = _ => defaults.Dropout };
        var hidden = new Option<int>("--hidden") { Description = "Hidden layer width; 0 gives a linear softmax head.", DefaultValueFactory = _ => defaults.Hidden };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, initialisation, shuffling and dropout.", DefaultValueFactory = _ => defaults.Seed };
        var patience = new Option<int>("--patience") { Description = "Epochs without improvement before stopping; 0 never stops early.", DefaultValueFactory = _ => defaults.Patience };
        var minDelta = new Option<float>("--min-delta") { Description = "Smallest change that counts as an improvement.", DefaultValueFactory = _ => defaults.MinDelta };
        var monitor = new Option<MonitorMetric>("--monitor") { Description = "Validation metric for the best epoch and early stopping.", DefaultValueFactory = _ => defaults.Monitor };
        var noStandardize = new Option<bool>("--no-standardize") { Description = "Feed raw features to the head (default: standardised with training statistics)." };
        var backbone = new Option<string>("--backbone") { Description = "Embedded backbone.", DefaultValueFactory = _ => Backbones.BackboneRegistry.DefaultName };
        var batchImages = new Option<int>("--extract-batch-size") { Description = "Images per network call during feature extraction.", DefaultValueFactory = _ => 16 };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the final summary." };
        var verbose = CommonOptions.Verbose();

        var command = new Command("train", "Train a classifier on a labelled image folder and save the best epoch's model.")
        {
            data, outputDir, cache, noCache, fraction, epochs, batch, lr, momentum, dropout, hidden, seed, patience, minDelta,
            monitor, noStandardize, backbone, batchImages, quiet, verbose,
        };
        command.SetAction(parse => CommandRunner.Run(error, parse.GetValue(verbose), cancel =>
        {
            string? dataFolder = parse.GetValue(data) ?? SampleData.Find();
            if (dataFolder is null)
            {
                error.WriteLine($"error: no --data given and the sample set ({SampleData.RelativePath}) was not found from {Directory.GetCurrentDirectory()}.");
                return ExitCodes.Failed;
            }
            var settings = new TrainSettings
            {
                DataFolder = dataFolder,
                OutputFolder = parse.GetValue(outputDir)!,
                CacheFolder = parse.GetValue(cache),
                UseCache = !parse.GetValue(noCache),
                ValidationFraction = parse.GetValue(fraction),
                Backbone = parse.GetValue(backbone)!,
                Training = new TrainingOptions
                {
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch),
                    LearningRate = parse.GetValue(lr),
                    Momentum = parse.GetValue(momentum),
                    Dropout = parse.GetValue(dropout),
                    Hidden = parse.GetValue(hidden),
                    Seed = parse.GetValue(seed),
                    Patience = parse.GetValue(patience),
                    MinDelta = parse.GetValue(minDelta),
                    Monitor = parse.GetValue(monitor),
                    Standardize = !parse.GetValue(noStandardize),
                },
                Extraction = new Features.ExtractorOptions { BatchSize = parse.GetValue(batchImages) },
            };
            var renderer = new TrainingRenderer(output, parse.GetValue(quiet));
            output.WriteLine($"Training on {Path.GetFullPath(dataFolder)}");
            var report = ImageClassifier.Train(settings, renderer, cancel);
            renderer.Summary(report, settings.OutputFolder);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
