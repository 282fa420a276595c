using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Model;
using MlNetTransfer.Pipeline;
using MlNetTransfer.Training;

namespace MlNetTransfer.Vision;

/// <summary>
/// An ML.NET estimator in the place of ML.NET's TensorFlow-based ImageClassificationTrainer: code written for that
/// trainer ports by changing its packages and <c>using Microsoft.ML.Vision;</c> to <c>using MlNetTransfer.Vision;</c>.
/// It reads an image column (encoded bytes, as <c>LoadRawImageBytes</c> gives them, or file paths) and a key label,
/// trains the head on cached ResNet18 features through the same pipeline as <see cref="ImageClassifier.Train"/>, and
/// returns a transformer that outputs Score and a key-typed PredictedLabel and saves into an ordinary model.zip.
/// </summary>
public sealed partial class ImageClassificationTrainer : IEstimator<ITransformer>
{
    private const string LogName = "ImageClassificationTrainer";
    private readonly Options _options;
    private readonly Lazy<IChannel> _channel;

    // Made by the catalog (mlContext.MulticlassClassification.Trainers.ImageClassification), as ML.NET's trainer is.
    internal ImageClassificationTrainer(IHostEnvironment environment, Options options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        var host = environment.Register(LogName);
        // As ML.NET's trainer: channel "ImageClassificationTrainer", opened when the trainer is made if progress goes to
        // the log; with a callback, only when there is a warning to write.
        _channel = new Lazy<IChannel>(() => host.Start(LogName));
        if (options.MetricsCallback is null) _ = _channel.Value;
    }

    /// <summary>Trains on <paramref name="input"/> and returns the fitted pipeline.</summary>
    /// <exception cref="ArgumentException">Missing columns, wrong column types, or fewer than two classes.</exception>
    public ITransformer Fit(IDataView input) => Fit(input, _options.ValidationSet);

    /// <summary>Trains on <paramref name="trainData"/>, validating on <paramref name="validationData"/> (null: <see cref="Options.ValidationSetFraction"/> of the training data).</summary>
    public ITransformer Fit(IDataView trainData, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        var training = TrainingOptions(); // checked before any row is read
        if (validationData is null && _options.ValidationSetFraction is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(Options.ValidationSetFraction), _options.ValidationSetFraction, "ValidationSetFraction must be in [0, 1), or null.");
        var (classes, kind, train, trainImages) = TrainerRows.Read(trainData, _options.FeatureColumnName, _options.LabelColumnName, null, "training");
        using var trainImagesRead = trainImages;
        if (classes.Count < 2 || train.Select(r => r.Label).Distinct().Count() < 2)
            throw new ArgumentException($"Only one class found in the {_options.LabelColumnName} column. To build a multiclass classification model, the number of classes needs to be 2 or greater.");
        var (_, _, validation, validationImages) = validationData is null ? default : TrainerRows.Read(validationData, _options.FeatureColumnName, _options.LabelColumnName, classes, "validation");
        using var validationImagesRead = validationImages;
        var reporting = new TrainerReporting(_options, _channel);
        if (validation is null && _options.ValidationSetFraction is null or 0)
        {
            reporting.Warn("No validation data (no ValidationSet, and ValidationSetFraction is null or 0): the training set stands in for it, and early stopping watches the training figures.");
            validation = train;
        }
        // The same plan as ImageClassifier.Train's: the features cached in the workspace (or the default cache).
        var settings = new TrainSettings
        {
            DataFolder = "",
            Backbone = ResolveBackbone(reporting),
            Precision = _options.Precision,
            CacheFolder = _options.WorkspacePath,
            Training = training,
            // The estimator's output columns are ML.NET's trainer columns (Score, PredictedLabel): no novelty columns.
            Novelty = Confidence.NoveltyMethod.None,
        };
        var plan = RunPlan.Make(settings, () => ImageDataset.FromImages(classes, train, validation, _options.ValidationSetFraction ?? ImageDataset.DefaultValidationFraction, _options.Seed),
            reporting, _options.CancellationToken);
        var result = TrainingPipeline.Run(plan, reporting, _options.CancellationToken,
            reuseValidation: _options.ReuseValidationSetBottleneckCachedValues, reuseTraining: _options.ReuseTrainSetBottleneckCachedValues, checkData: false,
            rules: Rules(training, reporting));
        reporting.Flush();
        foreach (var skipped in result.Extraction.Skipped)
            reporting.Warn($"Skipped {skipped.Path}: {skipped.Reason}");
        var graph = ModelWriter.Graph(plan.Backbone, result.Training.BestWeights, classes, plan.Cache?.BackboneFolder, result.Calibration.Temperature);
        if (_options.WorkspacePath is { } workspace)
            WorkspaceFiles.Write(workspace, _options, result, graph);

        return ModelWriter.Transformer(plan.Backbone, graph, classes, new ModelInput(kind, _options.FeatureColumnName),
            _options.ScoreColumnName, _options.PredictedLabelColumnName);
    }

    // The backbone setting: the ONNX file given, else the embedded ResNet18 whatever Arch names.
    private string ResolveBackbone(TrainerReporting reporting)
    {
        if (_options.BackbonePath is { } path)
            return path;
        if (_options.Arch != Architecture.ResNet18)
            reporting.Warn($"Arch = {_options.Arch} is a TensorFlow network that MlNetTransfer does not ship: ResNet18 is used. Set Options.BackbonePath to an ONNX network of your own to use another.");
        return BackboneRegistry.DefaultName;
    }

    // ML.NET's learning-rate scheduler and early-stopping rule, as the head trainer's schedule and stop rule: the
    // user's EarlyStopping object decides on the validation figures; the best epoch is picked by the same metric.
    private TrainingRules Rules(TrainingOptions training, TrainerReporting reporting)
    {
        IRateSchedule schedule = new SettingsSchedule(training);
        if (_options.LearningRateScheduler is { } scheduler)
        {
            if (LearningRates.From(scheduler) is { } mlnet) schedule = mlnet;
            else reporting.Warn($"{scheduler.GetType().Name} cannot be applied here: the learning rate stays {_options.LearningRate}.");
        }
        return new TrainingRules(schedule, _options.EarlyStoppingCriteria is { } criteria ? new StopRule(criteria) : null);
    }

    private sealed class StopRule(EarlyStopping criteria) : IStopRule
    {
        public bool ShouldStop(EpochMetrics m) => criteria.ShouldStop(new TrainMetrics { Accuracy = (float)m.ValidationAccuracy, CrossEntropy = (float)m.ValidationLoss });
    }

    // The head's training settings from ML.NET's options.
    private TrainingOptions TrainingOptions()
    {
        var stopping = _options.EarlyStoppingCriteria;
        // A scheduler that applies here sets the rate itself (Rules): Options.LearningRate is then neither used nor checked.
        bool scheduled = _options.LearningRateScheduler is { } scheduler && LearningRates.From(scheduler) is not null;
        var options = new TrainingOptions
        {
            Epochs = _options.Epoch,
            BatchSize = _options.BatchSize,
            LearningRate = scheduled ? new TrainingOptions().LearningRate : _options.LearningRate,
            Seed = _options.Seed,
            Patience = 0,
            MinDelta = stopping?.MinDelta ?? 0,
            Monitor = stopping?.Metric == EarlyStoppingMetric.Loss ? MonitorMetric.Loss : MonitorMetric.Accuracy,
        };
        try { options.Validate(); }
        catch (MlNetTransferException e) when (e.Setting is { } setting && EstimatorOptions.TryGetValue(setting, out var name))
        {
            // As ML.NET's trainer: an argument out of range, named as these Options name it.
            throw new ArgumentOutOfRangeException(name, e.Message.Replace("TrainingOptions." + setting[(setting.IndexOf('.') + 1)..], "Options." + name));
        }
        return options;
    }

    private static readonly Dictionary<string, string> EstimatorOptions = new()
    {
        ["Training.Epochs"] = nameof(Options.Epoch),
        ["Training.BatchSize"] = nameof(Options.BatchSize),
        ["Training.LearningRate"] = nameof(Options.LearningRate),
        ["Training.MinDelta"] = nameof(Options.EarlyStoppingCriteria) + "." + nameof(EarlyStopping.MinDelta),
    };

    /// <summary>The input's columns, then PredictedLabel (a key over the classes) and Score, as ML.NET's trainer adds them.</summary>
    /// <exception cref="ArgumentException">The label is not a key or the image column holds neither bytes nor paths.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var label = inputSchema.FirstOrDefault(c => c.Name == _options.LabelColumnName);
        if (label.Name is null || !label.IsKey)
            throw new ArgumentException($"Label column '{_options.LabelColumnName}' must be a key (use MapValueToKey).", nameof(inputSchema));
        var feature = inputSchema.FirstOrDefault(c => c.Name == _options.FeatureColumnName);
        bool bytes = feature.ItemType == NumberDataViewType.Byte && feature.Kind != SchemaShape.Column.VectorKind.Scalar;
        bool path = feature.ItemType is TextDataViewType && feature.Kind == SchemaShape.Column.VectorKind.Scalar;
        if (feature.Name is null || !(bytes || path))
            throw new ArgumentException($"Feature column '{_options.FeatureColumnName}' must hold encoded images (byte[]) or image file paths (text).", nameof(inputSchema));
        const int classCount = 1; // a shape has no key count; the fitted transformer has the real one
        var keyValues = new DataViewSchema.Annotations.Builder();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> names = (ref VBuffer<ReadOnlyMemory<char>> dst) =>
            dst = new VBuffer<ReadOnlyMemory<char>>(classCount, [ "0".AsMemory() ]);
        keyValues.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, classCount), names);
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(_options.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), classCount), keyValues.ToAnnotations());
        builder.AddColumn(_options.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, classCount));
        var added = MlNetInternals.ShapeOf(builder.ToSchema());
        return new SchemaShape(inputSchema.Where(c => c.Name != _options.ScoreColumnName && c.Name != _options.PredictedLabelColumnName).Concat(added));
    }
}
