using System.CommandLine;
using System.Linq.Expressions;
using MlNetTransfer.Backbones;

namespace MlNetTransfer.Cli;

/// <summary>
/// The train flags, each bound to one setting of <see cref="TrainSettings"/>. A flag's default (shown by --help) is
/// the setting's own default, written once in the library; a flag given on the command line overrides the settings
/// file, which overrides the defaults. Settings without a flag keep the file's value.
/// </summary>
internal sealed class TrainSettingOptions
{
    private readonly TrainSettings _defaults = new() { DataFolder = "" };
    private readonly List<(Option Option, Action<ParseResult, TrainSettings> Apply)> _bindings = [];
    private readonly Dictionary<string, string> _flags = [];

    public TrainSettingOptions()
    {
        Bind("--output", "Folder for model.zip and metrics.json.", s => s.OutputFolder, (s, v) => s.OutputFolder = v);
        Bind<string?>("--cache", "Feature cache folder. Default: $MLNETTRANSFER_CACHE or ~/.cache/mlnettransfer.", s => s.CacheFolder, (s, v) => s.CacheFolder = v);
        Bind("--no-cache", "Extract every image afresh and store nothing.", s => !s.UseCache, (s, v) => s.UseCache = !v);
        Bind("--validation-fraction", "Share of each class held out for validation when the data has no val/ folder.", s => s.ValidationFraction, (s, v) => s.ValidationFraction = v);
        Bind("--epochs", "Most epochs (early stopping may end sooner).", s => s.Training.Epochs, (s, v) => s.Training.Epochs = v);
        Bind("--batch-size", "Samples per SGD step.", s => s.Training.BatchSize, (s, v) => s.Training.BatchSize = v);
        Bind("--learning-rate", "SGD learning rate.", s => s.Training.LearningRate, (s, v) => s.Training.LearningRate = v);
        Bind("--momentum", "SGD momentum.", s => s.Training.Momentum, (s, v) => s.Training.Momentum = v);
        Bind("--dropout", "Dropout after the hidden layer.", s => s.Training.Dropout, (s, v) => s.Training.Dropout = v);
        Bind("--hidden", "Hidden layer width; 0 gives a linear softmax head.", s => s.Training.Hidden, (s, v) => s.Training.Hidden = v);
        Bind("--seed", "Seed of the split, initialisation, shuffling and dropout.", s => s.Training.Seed, (s, v) => s.Training.Seed = v);
        Bind("--patience", "Epochs without improvement before stopping; 0 never stops early.", s => s.Training.Patience, (s, v) => s.Training.Patience = v);
        Bind("--min-delta", "Smallest change that counts as an improvement.", s => s.Training.MinDelta, (s, v) => s.Training.MinDelta = v);
        Bind("--monitor", "Validation metric for the best epoch and early stopping.", s => s.Training.Monitor, (s, v) => s.Training.Monitor = v);
        Bind("--optimizer", "sgd (momentum) or adam (use a learning rate near 0.001).", s => s.Training.Optimizer, (s, v) => s.Training.Optimizer = v);
        Bind("--schedule", "Learning-rate schedule: none, step, cosine or plateau.", s => s.Training.Schedule, (s, v) => s.Training.Schedule = v);
        Bind("--weight-decay", "L2 weight decay.", s => s.Training.WeightDecay, (s, v) => s.Training.WeightDecay = v);
        Bind("--label-smoothing", "Share of each target spread over all classes.", s => s.Training.LabelSmoothing, (s, v) => s.Training.LabelSmoothing = v);
        Bind("--balance", "Weigh classes inversely to their size (imbalanced data).", s => s.Training.Balance, (s, v) => s.Training.Balance = v);
        Bind("--scaling", "Feature scaling with training statistics: center (each feature centred, one common scale), standardize (each to unit variance) or none (raw).",
            s => s.Training.Scaling, (s, v) => s.Training.Scaling = v);
        Bind("--resize", "The view of the images: auto (isocrop when the training images are square, crop otherwise), crop (shorter side to 256, centre 224), fill (stretched to 224) or isocrop (shorter side to 224, centre).",
            s => s.View, (s, v) => s.View = v);
        Bind("--precision", "The network's arithmetic: fp32 (the default), int8 (the embedded backbone quantized on the training images; its network about 3x faster where the processor has VNNI), or auto (int8 for the embedded backbone on a CPU with VNNI, fp32 elsewhere).",
            s => s.Precision, (s, v) => s.Precision = v);
        Bind("--no-calibration", "Keep the head's own probabilities: no temperature fitted on the validation images (metrics.json still gives the calibration error).",
            s => !s.Calibrate, (s, v) => s.Calibrate = !v);
        Bind("--novelty", "How the model scores an image's novelty (its Novelty and Unknown outputs): knn (cosine to the nearest training images) or none.",
            s => s.Novelty, (s, v) => s.Novelty = v);
        Bind("--novelty-neighbours", "Neighbours of the knn novelty.", s => s.NoveltyNeighbours, (s, v) => s.NoveltyNeighbours = v);
        Bind("--augment", "Extra random views per training image (crop, rotation, flip), extracted once and cached.", s => s.Augment, (s, v) => s.Augment = v);
        Bind("--backbone", "Embedded backbone name, or an ImageNet classifier exported to ONNX (FILE.onnx; a FILE.json beside it may describe its preprocessing).",
            s => s.Backbone, (s, v) => s.Backbone = v);
        Bind("--extract-batch-size", "Images per network call during feature extraction.", s => s.Extraction.BatchSize, (s, v) => s.Extraction.BatchSize = v);
        Bind("--decode-threads", "Threads decoding images during extraction; 0: one per core.", s => s.Extraction.DecodeThreads, (s, v) => s.Extraction.DecodeThreads = v);
        Bind("--input", "What the saved model reads: path (an image file's path; the ML.NET packages suffice) or bytes (the encoded image; the app references MlNetTransfer).",
            s => s.Input, (s, v) => s.Input = v);
        Bind<string?>("--input-column", "The saved model's input column (default ImagePath for path, ImageSource for bytes).", s => s.InputColumn, (s, v) => s.InputColumn = v);
        var device = CommonOptions.Device();
        _bindings.Add((device, (parse, s) => { if (Given(parse, device)) s.Extraction.Device = parse.GetValue(device); }));
        _flags[Features.ExtractorOptions.DeviceSetting] = device.Name;
        foreach (var (setting, flag) in Preprocessing.Flags) _flags[setting] = flag;
    }

    /// <summary>
    /// The flag of each setting, by its path from <see cref="TrainSettings"/> as <see cref="MlNetTransferException.Setting"/>
    /// names it: library errors speak of settings, and the command line adds the flag that sets one.
    /// </summary>
    public IReadOnlyDictionary<string, string> Flags => _flags;

    public IEnumerable<Option> Options => _bindings.Select(b => b.Option).Concat(Preprocessing.Options);

    /// <summary>The backbone preprocessing flags of an ONNX backbone (merged field by field over the file's).</summary>
    public PreprocessingOptions Preprocessing { get; } = new();

    /// <summary>Applies the flags given on the command line to <paramref name="settings"/> (defaults or a loaded file).</summary>
    public void Apply(ParseResult parse, TrainSettings settings)
    {
        foreach (var (_, apply) in _bindings) apply(parse, settings);
        settings.BackbonePreprocessing = Preprocessing.Merge(parse, settings.BackbonePreprocessing);
    }

    internal static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    private void Bind<T>(string name, string description, Expression<Func<TrainSettings, T>> get, Action<TrainSettings, T> set)
    {
        var getter = get.Compile(preferInterpretation: true);
        var option = new Option<T>(name) { Description = description, DefaultValueFactory = _ => getter(_defaults) }.WithChoices();
        _bindings.Add((option, (parse, s) => { if (Given(parse, option)) set(s, parse.GetValue(option)!); }));
        _flags[SettingPath(get.Body)] = name;
    }

    // s => s.Training.Epochs gives "Training.Epochs"; s => !s.UseCache gives "UseCache".
    private static string SettingPath(Expression body) => body switch
    {
        UnaryExpression unary => SettingPath(unary.Operand),
        MemberExpression { Expression: ParameterExpression } member => member.Member.Name,
        MemberExpression member => SettingPath(member.Expression!) + "." + member.Member.Name,
        _ => throw new ArgumentException($"Not a setting: {body}", nameof(body)),
    };
}

/// <summary>Flags that describe a user's ONNX backbone; each given one overrides that field of the settings file's description.</summary>
internal sealed class PreprocessingOptions
{
    private readonly Option<string?> _featureNode = new("--feature-node") { Description = "ONNX backbone: the pooled-feature node (default: found automatically)." };
    private readonly Option<string?> _mean = new("--mean") { Description = "ONNX backbone: per-channel mean, RGB, e.g. 0.485,0.456,0.406 (the default)." };
    private readonly Option<string?> _std = new("--std") { Description = "ONNX backbone: per-channel std, e.g. 0.229,0.224,0.225 (the default)." };
    private readonly Option<int?> _inputSize = new("--input-size") { Description = "ONNX backbone: input side (default: the model's, else 224)." };
    private readonly Option<string?> _pixelScale = new("--pixel-scale") { Description = "ONNX backbone: 0-1 (default) or 0-255." };
    private readonly Option<bool> _bgr = new("--bgr") { Description = "ONNX backbone: the network takes B, G, R channel order." };

    public IEnumerable<Option> Options => [_featureNode, _mean, _std, _inputSize, _pixelScale, _bgr];

    /// <summary>The flag of each preprocessing setting, by its path from <see cref="TrainSettings"/>.</summary>
    public IEnumerable<(string Setting, string Flag)> Flags =>
    [
        (Setting(nameof(BackbonePreprocessing.FeatureNode)), _featureNode.Name),
        (Setting(nameof(BackbonePreprocessing.Mean)), _mean.Name),
        (Setting(nameof(BackbonePreprocessing.Std)), _std.Name),
        (Setting(nameof(BackbonePreprocessing.InputSize)), _inputSize.Name),
        (Setting(nameof(BackbonePreprocessing.Scale)), _pixelScale.Name),
        (Setting(nameof(BackbonePreprocessing.Bgr)), _bgr.Name),
    ];

    private static string Setting(string field) => $"{nameof(TrainSettings.BackbonePreprocessing)}.{field}";

    public BackbonePreprocessing? Merge(ParseResult parse, BackbonePreprocessing? loaded)
    {
        if (!Options.Any(o => TrainSettingOptions.Given(parse, o))) return loaded;
        var basis = loaded ?? new BackbonePreprocessing();
        return basis with
        {
            FeatureNode = parse.GetValue(_featureNode) ?? basis.FeatureNode,
            Mean = Floats(parse, _mean) ?? basis.Mean,
            Std = Floats(parse, _std) ?? basis.Std,
            InputSize = parse.GetValue(_inputSize) ?? basis.InputSize,
            Scale = parse.GetValue(_pixelScale) ?? basis.Scale,
            Bgr = parse.GetValue(_bgr) ? true : basis.Bgr,
        };
    }

    private static float[]? Floats(ParseResult parse, Option<string?> option)
    {
        if (parse.GetValue(option) is not { } text) return null;
        var values = new List<float>();
        foreach (var part in text.Split(','))
            if (float.TryParse(part, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float value)) values.Add(value);
            else throw new UsageException($"{option.Name} takes three comma-separated numbers, got '{text}'.");
        return values.Count == 3 ? [.. values] : throw new UsageException($"{option.Name} takes three comma-separated numbers, got '{text}'.");
    }
}
