using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Model;
using MlNetTransfer.Pipeline;

namespace MlNetTransfer;

/// <summary>
/// The scripting API: train an image classifier on a labelled folder, evaluate it, predict with it.
/// <code>
/// var report = ImageClassifier.Train(new TrainSettings { DataFolder = "photos" });
/// using var model = TrainedModel.Load(report.ModelPath);
/// var p = model.Predict("cat.jpg");
/// </code>
/// </summary>
public static class ImageClassifier
{
    public const string ModelFileName = "model.zip";
    public const string MetricsFileName = RunFiles.Metrics;
    public const string ValidationPredictionsFileName = RunFiles.ValidationPredictions;
    public const string EpochsFileName = RunFiles.Epochs;
    /// <summary>The resolved settings of a run; <c>train --config</c> on it repeats the run.</summary>
    public const string SettingsFileName = RunFiles.Settings;

    /// <summary>
    /// Extracts (or reads cached) backbone features, trains the head with per-epoch validation and early stopping,
    /// and writes the best epoch's model, metrics.json, validation-predictions.json and report.html to the output folder.
    /// </summary>
    /// <exception cref="DatasetException">The data set cannot be used.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the cache keeps what was extracted, no model is written.</exception>
    public static TrainReport Train(TrainSettings settings, IProgress<TrainingEvent>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Training.Validate(); // before anything is scanned or loaded
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var described = BackboneRegistry.Resolve(settings.Backbone, settings.BackbonePreprocessing);
        var precision = PrecisionChoice.Resolve(settings.Precision, described, settings.Extraction.Device);
        var dataset = ImageDataset.Load(settings.DataFolder, settings.ValidationFraction, settings.Training.Seed);
        progress?.Report(new DatasetScanned(dataset.Classes.Count, dataset.Train.Count, dataset.Validation.Count, dataset.HasOwnSplit));
        progress?.Report(new PrecisionChosen(precision));
        FeatureCache? CacheFor(BackboneDescription b) => settings.UseCache ? FeatureCache.For(b, settings.CacheFolder) : null;
        (described, precision) = WithPrecision(described, precision, settings.View, settings.Extraction.Device, dataset, CacheFor, progress, cancel);
        var (view, viewReport, known, chosenExtractor) = settings.View == ImageView.Auto
            ? ViewChoice.Run(dataset, described, settings.Extraction, CacheFor, settings.Training.Seed, progress, cancel)
            : (settings.View, new ViewChoiceReport(settings.View, "set by the settings (View)", [], 0), null, null);
        using var handedOn = chosenExtractor; // the pipeline releases it after extraction; this, if anything throws before
        var backbone = described.WithView(view);
        var extraction = settings.Extraction.With(CacheFor(backbone));
        var result = TrainingPipeline.Run(dataset, backbone, extraction, settings.Training,
            new AugmentationSettings(settings.Augment, settings.Augmentation), progress, cancel, known: known, extractor: chosenExtractor) with { View = viewReport };

        string modelPath = Path.GetFullPath(Path.Combine(settings.OutputFolder, ModelFileName));
        progress?.Report(new SavingModel(modelPath));
        cancel.ThrowIfCancellationRequested();
        ModelWriter.Save(modelPath, backbone, result.Training.BestWeights, dataset.Classes, extraction.Cache?.BackboneFolder,
            ModelInput.Of(settings.Input, settings.InputColumn), validation: new ValidationSummary(result.Training.Best.ValidationAccuracy, result.Training.Best.ValidationLoss, result.Validation.Count));
        return RunFiles.Write(settings, result with { Precision = precision }, modelPath, clock.Elapsed);
    }

    // int8: calibrated once, in the view asked for (crop while the view is still to be chosen): the ranges serve either
    // view, so that the view choice already compares int8 features and they are the ones training uses. (The channel
    // means of bias correction, measured in that view too, serve fill's graph as well: its features' cosine to fp32
    // fill rose with them as crop's did, camera photos 0.99729 → 0.99753, ants/bees 0.99884 → 0.99902, digits 0.97640
    // → 0.97898.) A calibration
    // of an earlier run is kept while its images are all still in the data set (training or validation). Also the
    // estimator's (ImageClassificationTrainer), so that both report and keep calibrations alike.
    internal static (BackboneDescription, PrecisionChoice) WithPrecision(BackboneDescription described, PrecisionChoice precision, ImageView view, ComputeDevice device,
        ImageDataset dataset, Func<BackboneDescription, FeatureCache?> cacheFor, IProgress<TrainingEvent>? progress, CancellationToken cancel)
    {
        if (precision.Precision != Precision.Int8) return (described, precision);
        var calibrated = view == ImageView.Auto ? described : described.WithView(view);
        int? kept = null;
        var quantized = Int8Backbones.Quantize(calibrated, dataset.Train, cacheFor, device, calibrating: images => progress?.Report(new Calibrating(images)), cancel: cancel,
            present: [.. dataset.Train, .. dataset.Validation], reused: images => { kept = images; progress?.Report(new CalibrationKept(images)); });
        return (quantized, kept is { } images ? precision with { Reason = $"{precision.Reason}; calibration of an earlier run kept ({images} images, all still in the data set)" } : precision);
    }

    /// <summary>
    /// Extracts (into the feature cache) the features of every image under <paramref name="settings"/>' data folder in
    /// <paramref name="shard"/>, as <see cref="Train"/> with the same settings needs them: in each view it may use (both
    /// candidates when the view is chosen, <see cref="ImageView.Auto"/>), with the same precision (int8 is calibrated in
    /// each process, on the same images, to the same result). N processes, each given one share, fill a shared cache so
    /// that a following <c>train</c> extracts nothing. Unusable images are listed, not fatal.
    /// </summary>
    /// <exception cref="DatasetException">The folder is missing.</exception>
    /// <exception cref="MlNetTransferException">The settings turn the cache off (there would be nothing to fill).</exception>
    /// <param name="precisionChosen">Called with the network's precision (resolved for this machine), after the settings are checked and before anything is extracted.</param>
    internal static ExtractionResult Extract(TrainSettings settings, Shard shard, IProgress<ExtractionProgress>? progress = null, CancellationToken cancel = default,
        Action<PrecisionChoice>? precisionChosen = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.UseCache)
            throw new MlNetTransferException($"Extract fills the feature cache, and the settings turn the cache off ({nameof(TrainSettings.UseCache)} is false): everything it extracted would be thrown away. Set {nameof(TrainSettings.UseCache)} to true; the cache is {nameof(TrainSettings.CacheFolder)}, or the default when that is null.", nameof(TrainSettings.UseCache));
        if (!Directory.Exists(settings.DataFolder))
            throw new DatasetException($"Data folder not found: {settings.DataFolder}");
        var described = BackboneRegistry.Resolve(settings.Backbone, settings.BackbonePreprocessing);
        var precision = PrecisionChoice.Resolve(settings.Precision, described, settings.Extraction.Device);
        precisionChosen?.Invoke(precision);
        if (precision.Precision == Precision.Int8)
        {
            var dataset = ImageDataset.Load(settings.DataFolder, settings.ValidationFraction, settings.Training.Seed);
            (described, _) = WithPrecision(described, precision, settings.View, settings.Extraction.Device, dataset, b => FeatureCache.For(b, settings.CacheFolder), null, cancel);
        }
        var images = ImageDataset.ImageFilesUnder(settings.DataFolder).Where(path => shard.Contains(settings.DataFolder, path)).ToList();
        var views = settings.View == ImageView.Auto ? ViewChoice.Candidates : [settings.View];
        ExtractionResult? all = null;
        foreach (var view in views)
        {
            var backbone = described.WithView(view);
            using var extractor = new FeatureExtractor(backbone, settings.Extraction.With(FeatureCache.For(backbone, settings.CacheFolder)));
            var result = extractor.Extract(images, progress, cancel);
            all = all is null ? result : ExtractionResult.Combine(all, result);
        }
        return all!;
    }

    /// <summary>
    /// Evaluates a saved model on a labelled folder (one sub-folder per class). Images go through the same batched,
    /// cached feature extraction as training, then the model's head; unusable images are listed, not fatal.
    /// </summary>
    /// <param name="cacheFolder">Feature cache; null uses <see cref="FeatureCache.DefaultRoot"/>.</param>
    /// <param name="device">Where the network extracts the features not in the cache.</param>
    /// <exception cref="ModelLoadException">The model cannot be loaded.</exception>
    /// <exception cref="DatasetException">The folder is missing or has a class the model does not know.</exception>
    public static EvaluationReport Evaluate(string modelPath, string dataFolder, string? cacheFolder = null,
        IProgress<ExtractionProgress>? progress = null, CancellationToken cancel = default, ComputeDevice device = ComputeDevice.Cpu)
    {
        var model = ModelFile.Read(modelPath);
        var files = ImageDataset.ScanLabelledFolder(dataFolder);
        var unknown = files.Keys.Where(c => !model.Classes.Contains(c)).ToList();
        if (unknown.Count > 0)
            throw new DatasetException($"{dataFolder} has classes the model was not trained on: {string.Join(", ", unknown)}. Model classes: {string.Join(", ", model.Classes)}.");
        var images = files.SelectMany(kv => kv.Value.Select(path => (Path: path, Label: kv.Key))).ToList();
        var labels = images.ToDictionary(i => i.Path, i => i.Label, StringComparer.Ordinal);
        var (predictions, skipped) = BatchPrediction.Run(model, images.Select(i => i.Path), cacheFolder, device, progress, cancel);
        return EvaluationReport.From(model.Classes, predictions.Select(p => p with { Label = labels[p.ImagePath] }).ToList(), skipped);
    }

    /// <summary>Predicts each image in batches (cached features); unusable images come back in <paramref name="skipped"/>.</summary>
    /// <param name="device">Where the network extracts the features not in the cache.</param>
    /// <exception cref="ModelLoadException">The model cannot be loaded.</exception>
    public static IReadOnlyList<Prediction> Predict(string modelPath, IEnumerable<string> imagePaths, out IReadOnlyList<SkippedImage> skipped, string? cacheFolder = null,
        ComputeDevice device = ComputeDevice.Cpu)
    {
        var (predictions, bad) = BatchPrediction.Run(ModelFile.Read(modelPath), imagePaths, cacheFolder, device, null, default);
        skipped = bad;
        return predictions;
    }
}
