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
        var optimizer = new Option<OptimizerKind>("--optimizer") { Description = "sgd (momentum) or adam (use a learning rate near 0.001).", DefaultValueFactory = _ => defaults.Optimizer };
        var schedule = new Option<LearningRateSchedule>("--schedule") { Description = "Learning-rate schedule: none, step, cosine or plateau.", DefaultValueFactory = _ => defaults.Schedule };
        var weightDecay = new Option<float>("--weight-decay") { Description = "L2 weight decay.", DefaultValueFactory = _ => defaults.WeightDecay };
        var labelSmoothing = new Option<float>("--label-smoothing") { Description = "Share of each target spread over all classes.", DefaultValueFactory = _ => defaults.LabelSmoothing };
        var augment = new Option<int>("--augment") { Description = "Extra random views per training image (crop, rotation, flip), extracted once and cached.", DefaultValueFactory = _ => new TrainSettings { DataFolder = "" }.Augment };
        var balance = new Option<bool>("--balance") { Description = "Weigh classes inversely to their size (imbalanced data)." };
        var scaling = new Option<FeatureScaling>("--scaling") { Description = "Feature scaling with training statistics: center (each feature centred, one common scale), standardize (each to unit variance) or none (raw).", DefaultValueFactory = _ => defaults.Scaling };
        var backbone = new Option<string>("--backbone") { Description = "Embedded backbone name, or an ImageNet classifier exported to ONNX (FILE.onnx; a FILE.json beside it may describe its preprocessing).", DefaultValueFactory = _ => Backbones.BackboneRegistry.DefaultName };
        var featureNode = new Option<string?>("--feature-node") { Description = "ONNX backbone: the pooled-feature node (default: found automatically)." };
        var mean = new Option<string?>("--mean") { Description = "ONNX backbone: per-channel mean, RGB, e.g. 0.485,0.456,0.406 (the default)." };
        var std = new Option<string?>("--std") { Description = "ONNX backbone: per-channel std, e.g. 0.229,0.224,0.225 (the default)." };
        var inputSize = new Option<int?>("--input-size") { Description = "ONNX backbone: input side (default: the model's, else 224)." };
        var pixelScale = new Option<string?>("--pixel-scale") { Description = "ONNX backbone: 0-1 (default) or 0-255." };
        var bgr = new Option<bool>("--bgr") { Description = "ONNX backbone: the network takes B, G, R channel order." };
        var device = CommonOptions.Device();
        var batchImages = new Option<int>("--extract-batch-size") { Description = "Images per network call during feature extraction.", DefaultValueFactory = _ => 16 };
        var config = new Option<string?>("--config") { Description = "Settings file (a run's train.json) to start from; flags given as well override it." };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the final summary." };
        var verbose = CommonOptions.Verbose();

        var command = new Command("train", "Train a classifier on a labelled image folder and save the best epoch's model.")
        {
            data, outputDir, cache, noCache, fraction, epochs, batch, lr, momentum, dropout, hidden, seed, patience, minDelta,
            monitor, optimizer, schedule, weightDecay, labelSmoothing, balance, augment, scaling, backbone, featureNode, mean, std, inputSize, pixelScale, bgr, batchImages, device, config, quiet, verbose,
        };
        command.SetAction(parse => CommandRunner.Run(error, parse.GetValue(verbose), cancel =>
        {
            string? configPath = parse.GetValue(config);
            var loaded = configPath is null ? null : TrainSettings.Load(configPath);
            // Defaults, then the settings file, then the flags given on the command line.
            T Pick<T>(Option<T> option, T fromFile) => loaded is null || parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : fromFile;

            string? dataFolder = parse.GetValue(data) ?? loaded?.DataFolder ?? SampleData.Find();
            if (dataFolder is null)
            {
                error.WriteLine($"error: no --data given and the sample set ({SampleData.RelativePath}) was not found from {Directory.GetCurrentDirectory()}.");
                return ExitCodes.Failed;
            }
            var t = loaded?.Training ?? new TrainingOptions();
            var settings = new TrainSettings
            {
                DataFolder = dataFolder,
                OutputFolder = Pick(outputDir, loaded?.OutputFolder ?? DefaultOutput),
                CacheFolder = parse.GetValue(cache) ?? loaded?.CacheFolder,
                UseCache = !Pick(noCache, !(loaded?.UseCache ?? true)),
                ValidationFraction = Pick(fraction, loaded?.ValidationFraction ?? 0.2),
                Backbone = Pick(backbone, loaded?.Backbone ?? Backbones.BackboneRegistry.DefaultName),
                Augment = Pick(augment, loaded?.Augment ?? new TrainSettings { DataFolder = "" }.Augment),
                Augmentation = loaded?.Augmentation ?? new Features.ViewAugmentation(),
                BackbonePreprocessing = Preprocessing(parse, loaded?.BackbonePreprocessing, featureNode, mean, std, inputSize, pixelScale, bgr),
                Training = new TrainingOptions
                {
                    Epochs = Pick(epochs, t.Epochs),
                    BatchSize = Pick(batch, t.BatchSize),
                    LearningRate = Pick(lr, t.LearningRate),
                    Momentum = Pick(momentum, t.Momentum),
                    Dropout = Pick(dropout, t.Dropout),
                    Hidden = Pick(hidden, t.Hidden),
                    Seed = Pick(seed, t.Seed),
                    Patience = Pick(patience, t.Patience),
                    MinDelta = Pick(minDelta, t.MinDelta),
                    Monitor = Pick(monitor, t.Monitor),
                    Scaling = Pick(scaling, t.Scaling),
                    Optimizer = Pick(optimizer, t.Optimizer),
                    Schedule = Pick(schedule, t.Schedule),
                    StepSize = t.StepSize,
                    StepGamma = t.StepGamma,
                    PlateauPatience = t.PlateauPatience,
                    WeightDecay = Pick(weightDecay, t.WeightDecay),
                    LabelSmoothing = Pick(labelSmoothing, t.LabelSmoothing),
                    Balance = Pick(balance, t.Balance),
                },
                Extraction = new Features.ExtractorOptions
                {
                    BatchSize = Pick(batchImages, loaded?.Extraction.BatchSize ?? 16),
                    Device = Pick(device, loaded?.Extraction.Device ?? Features.ComputeDevice.Cpu),
                },
            };
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
        }));
        return command;
    }

    private static Backbones.BackbonePreprocessing? Preprocessing(ParseResult parse, Backbones.BackbonePreprocessing? loaded, Option<string?> featureNode,
        Option<string?> mean, Option<string?> std, Option<int?> inputSize, Option<string?> pixelScale, Option<bool> bgr)
    {
        float[]? Floats(Option<string?> o) => parse.GetValue(o) is { } text
            ? text.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray() is { Length: 3 } values
                ? values : throw new ArgumentException($"{o.Name} takes three comma-separated numbers, got '{text}'.")
            : null;
        var given = new Backbones.BackbonePreprocessing
        {
            FeatureNode = parse.GetValue(featureNode),
            Mean = Floats(mean),
            Std = Floats(std),
            InputSize = parse.GetValue(inputSize),
            Scale = parse.GetValue(pixelScale),
            Bgr = parse.GetValue(bgr) ? true : null,
        };
        if (given == new Backbones.BackbonePreprocessing()) return loaded;
        return loaded is null ? given : new Backbones.BackbonePreprocessing
        {
            FeatureNode = given.FeatureNode ?? loaded.FeatureNode,
            Mean = given.Mean ?? loaded.Mean,
            Std = given.Std ?? loaded.Std,
            InputSize = given.InputSize ?? loaded.InputSize,
            ResizeTo = loaded.ResizeTo,
            Scale = given.Scale ?? loaded.Scale,
            Bgr = given.Bgr ?? loaded.Bgr,
            Resize = loaded.Resize,
        };
    }
}
