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
    /// <summary>The resolved settings of a run; <see cref="TrainSettings.Load"/> reads them back to repeat the run.</summary>
    public const string SettingsFileName = RunFiles.Settings;

    /// <summary>
    /// Extracts (or reads cached) backbone features, trains the head with per-epoch validation and early stopping,
    /// and writes the best epoch's model, metrics.json, validation-predictions.json and report.html to the output folder.
    /// </summary>
    /// <exception cref="DatasetException">The data set cannot be used.</exception>
    /// <exception cref="MlNetTransferException">A setting is out of range or cannot be used here (<see cref="MlNetTransferException.Setting"/> names it).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the cache keeps what was extracted, no model is written.</exception>
    /// <param name="progress">Reported to one event at a time, in order, from the thread doing the work (extraction's
    /// from its decoder and network threads; a <see cref="Progress{T}"/> then posts them on): keep it short.</param>
    public static TrainReport Train(TrainSettings settings, IProgress<TrainingEvent>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        RunFiles.CheckOutputFolder(settings.OutputFolder);
        var plan = RunPlan.Make(settings, () => ImageDataset.Load(settings.DataFolder, settings.ValidationFraction, settings.Training.Seed), progress, cancel);
        var result = TrainingPipeline.Run(plan, progress, cancel);

        string modelPath = Path.GetFullPath(Path.Combine(settings.OutputFolder, ModelFileName));
        progress?.Report(new SavingModel(modelPath));
        cancel.ThrowIfCancellationRequested();
        ModelWriter.Save(modelPath, plan.Backbone, result.Training.BestWeights, plan.Dataset.Classes, plan.Cache?.BackboneFolder,
            ModelInput.Of(settings.Input, settings.InputColumn), validation: new ValidationSummary(result.Training.Best.ValidationAccuracy, result.Training.Best.ValidationLoss, result.Validation.Count),
            temperature: result.Calibration.Temperature, novelty: result.Novelty);
        return RunFiles.Write(settings, result, modelPath, clock.Elapsed);
    }

    /// <summary>
    /// Extracts (into the feature cache) the features of every image under <paramref name="settings"/>' data folder in
    /// <paramref name="shard"/>, as <see cref="Train"/> with the same settings needs them (the same plan: view,
    /// precision, augmented views of the training images). N processes, each given one share, fill a shared cache so
    /// that a following <c>train</c> extracts nothing. Unusable images are listed, not fatal.
    /// </summary>
    /// <exception cref="DatasetException">The folder is missing or cannot be used as a data set.</exception>
    /// <exception cref="MlNetTransferException">The settings turn the cache off (there would be nothing to fill).</exception>
    /// <param name="precisionChosen">Called with the network's precision (resolved for this machine), after the settings are checked and before anything is extracted.</param>
    internal static ExtractionResult Extract(TrainSettings settings, Shard shard, IProgress<ExtractionProgress>? progress = null, CancellationToken cancel = default,
        Action<PrecisionChoice>? precisionChosen = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.UseCache)
            throw new MlNetTransferException($"Extract fills the feature cache, and the settings turn the cache off ({nameof(TrainSettings.UseCache)} is false): everything it extracted would be thrown away. Set {nameof(TrainSettings.UseCache)} to true; the cache is {nameof(TrainSettings.CacheFolder)}, or the default when that is null.", nameof(TrainSettings.UseCache));
        var plan = RunPlan.Make(settings, () => ImageDataset.Load(settings.DataFolder, settings.ValidationFraction, settings.Training.Seed),
            new SyncProgress<TrainingEvent>(e => { if (e is PrecisionChosen chosen) precisionChosen?.Invoke(chosen.Choice); }), cancel);
        bool Mine(string path) => shard.Contains(settings.DataFolder, path);
        using var extractor = new FeatureExtractor(plan.Backbone, plan.Extraction, plan.Cache);
        // The data set's images, found as train finds them (linked class folders included), so that train then extracts nothing.
        var images = plan.Dataset.Train.Concat(plan.Dataset.Validation).Concat(plan.Dataset.Test).Select(i => i.Path).Where(Mine);
        var result = extractor.Extract(images.ToList(), progress, cancel);
        if (plan.Augmentation.Views == 0) return result;
        var views = extractor.ExtractViews(plan.Dataset.Train.Where(i => Mine(i.Path)), plan.Augmentation.Transform, plan.Augmentation.Views, progress, cancel);
        return ExtractionResult.Combine(result, views);
    }

    /// <summary>
    /// Evaluates a saved model on a labelled folder (one sub-folder per class). Images go through the same batched,
    /// cached feature extraction as training, then the model's head; unusable images are listed, not fatal.
    /// </summary>
    /// <param name="cacheFolder">Feature cache; null uses <see cref="FeatureCache.DefaultRoot"/>.</param>
    /// <param name="device">Where the network extracts the features not in the cache.</param>
    /// <exception cref="ModelLoadException">The model cannot be loaded.</exception>
    /// <exception cref="DatasetException">The folder is missing, has no usable image or a class the model does not know, or the unknown folder has no usable image.</exception>
    /// <param name="unknownFolder">A folder of images of none of the model's classes (read recursively): the report's
    /// <see cref="EvaluationReport.UnknownAuroc"/> and its neighbours then say how well the novelty tells them from the labelled images.</param>
    /// <exception cref="MlNetTransferException">An unknown folder is given and the model has no novelty output.</exception>
    public static EvaluationReport Evaluate(string modelPath, string dataFolder, string? cacheFolder = null,
        IProgress<ExtractionProgress>? progress = null, CancellationToken cancel = default, ComputeDevice device = ComputeDevice.Cpu, string? unknownFolder = null)
    {
        var model = ModelFile.Read(modelPath);
        if (unknownFolder is not null && !model.Graph().HasNovelty)
            throw new MlNetTransferException($"{modelPath} has no novelty output (a model written before 0.3, or trained with the novelty off): it cannot tell unknown images.");
        if (unknownFolder is not null && !Directory.Exists(unknownFolder))
            throw new DatasetException($"{unknownFolder}: no such folder of unknown images.");
        var files = ImageDataset.ScanLabelledFolder(dataFolder);
        var unknown = files.Keys.Where(c => !model.Classes.Contains(c)).ToList();
        if (unknown.Count > 0)
            throw new DatasetException($"{dataFolder} has classes the model was not trained on: {string.Join(", ", unknown)}. Model classes: {string.Join(", ", model.Classes)}.");
        var images = files.SelectMany(kv => kv.Value.Select(path => (Path: path, Label: kv.Key))).ToList();
        if (images.Count == 0)
            throw new DatasetException($"{dataFolder}: no image files in its class sub-folders ({string.Join(", ", files.Keys)}).");
        var labels = images.ToDictionary(i => i.Path, i => i.Label, StringComparer.Ordinal);
        var (predictions, skipped) = BatchPrediction.Run(model, images.Select(i => i.Path), cacheFolder, device, progress, cancel);
        if (predictions.Count == 0)
            throw new DatasetException($"{dataFolder}: none of its {skipped.Count} image files could be used ({skipped[0].Path}: {skipped[0].Reason}).");
        var report = EvaluationReport.From(model.Classes, predictions.Select(p => p with { Label = labels[p.ImagePath] }).ToList(), skipped);
        if (unknownFolder is null) return report;
        var (unknownImages, unusable) = BatchPrediction.Run(model, ImageDataset.ImageFilesUnder(unknownFolder), cacheFolder, device, progress, cancel);
        if (unknownImages.Count == 0)
            throw new DatasetException($"{unknownFolder}: no usable image found there ({unusable.Count} image files could not be read), so nothing to tell from the labelled images.");
        return UnknownImages.With(report, unknownImages, unusable);
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
