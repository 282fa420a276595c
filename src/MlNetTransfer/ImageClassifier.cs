using System.Diagnostics;
using System.Text.Json;
using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Model;
using MlNetTransfer.Training;

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
    public const string MetricsFileName = "metrics.json";
    public const string ValidationPredictionsFileName = "validation-predictions.json";

    /// <summary>
    /// Extracts (or reads cached) backbone features, trains the head with per-epoch validation and early stopping,
    /// and writes the best epoch's model, metrics.json and validation-predictions.json to the output folder.
    /// </summary>
    /// <exception cref="DatasetException">The data set cannot be used.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the cache keeps what was extracted, no model is written.</exception>
    public static TrainReport Train(TrainSettings settings, IProgress<TrainingEvent>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Training.Validate();
        var clock = Stopwatch.StartNew();
        var dataset = ImageDataset.Load(settings.DataFolder, settings.ValidationFraction, settings.Training.Seed);
        progress?.Report(new DatasetScanned(dataset.Classes.Count, dataset.Train.Count, dataset.Validation.Count, dataset.HasOwnSplit));

        var backbone = BackboneRegistry.Get(settings.Backbone);
        var extraction = ExtractFeatures(backbone, settings, dataset.Train.Concat(dataset.Validation).Select(i => i.Path), progress, cancel);

        var train = Usable(dataset.Train, extraction);
        var validation = Usable(dataset.Validation, extraction);
        CheckEveryClassHasImages(dataset, train);
        if (validation.Count == 0)
            throw new DatasetException("No usable validation image: add images, or use a larger --validation-fraction.");

        var validationFeatures = Features(validation, extraction);
        var result = HeadTrainer.Train(
            Features(train, extraction), validationFeatures, dataset.Classes.Count, settings.Training,
            m => progress?.Report(new EpochEnded(m, settings.Training.Epochs)), cancel);

        string modelPath = Path.GetFullPath(Path.Combine(settings.OutputFolder, ModelFileName));
        progress?.Report(new SavingModel(modelPath));
        cancel.ThrowIfCancellationRequested();
        ModelWriter.Save(modelPath, backbone, result.BestWeights, dataset.Classes, settings.Extraction.Cache?.BackboneFolder);

        var probabilities = HeadTrainer.Predict(result.BestWeights, validationFeatures);
        var predictions = validation.Select((image, i) => new ValidationPrediction(
            image.Path, dataset.Classes[image.Label], dataset.Classes[System.Numerics.Tensors.TensorPrimitives.IndexOfMax(probabilities[i])], probabilities[i])).ToList();
        var report = new TrainReport
        {
            Classes = dataset.Classes,
            BestEpoch = result.BestEpoch,
            StoppedEarly = result.StoppedEarly,
            Epochs = result.Epochs,
            Validation = new ValidationSummary(result.Best.ValidationAccuracy, result.Best.ValidationLoss, validation.Count),
            TrainCount = train.Count,
            Skipped = extraction.Skipped,
            FeatureExtraction = new ExtractionSummary(extraction.Images, extraction.FromCache, extraction.Extracted, extraction.Seconds, extraction.CorruptCacheEntries),
            Backbone = backbone.Name,
            ModelPath = modelPath,
            Seconds = clock.Elapsed.TotalSeconds,
            ValidationPredictions = predictions,
        };
        AtomicFile.WriteText(Path.Combine(settings.OutputFolder, MetricsFileName), JsonSerializer.Serialize(report, Json.Options));
        AtomicFile.WriteText(Path.Combine(settings.OutputFolder, ValidationPredictionsFileName), JsonSerializer.Serialize(predictions, Json.Options));
        return report;
    }

    /// <summary>Evaluates a saved model on a labelled folder (one sub-folder per class).</summary>
    /// <exception cref="ModelLoadException">The model cannot be loaded.</exception>
    /// <exception cref="DatasetException">The folder is missing or has a class the model does not know.</exception>
    public static EvaluationReport Evaluate(string modelPath, string dataFolder, IProgress<int>? progress = null, CancellationToken cancel = default)
    {
        using var model = TrainedModel.Load(modelPath);
        var files = ImageDataset.ScanLabelledFolder(dataFolder);
        var unknown = files.Keys.Where(c => !model.Classes.Contains(c)).ToList();
        if (unknown.Count > 0)
            throw new DatasetException($"{dataFolder} has classes the model was not trained on: {string.Join(", ", unknown)}. Model classes: {string.Join(", ", model.Classes)}.");
        var images = files.SelectMany(kv => kv.Value.Select(p => new LabelledImage(p, model.Classes.ToList().IndexOf(kv.Key)))).ToList();
        var predictions = new List<(LabelledImage, Prediction)>();
        var skipped = new List<SkippedImage>();
        foreach (var image in images)
        {
            cancel.ThrowIfCancellationRequested();
            try { predictions.Add((image, model.Predict(image.Path))); }
            catch (InvalidDataException e) { skipped.Add(new SkippedImage(image.Path, e.Message)); }
            progress?.Report(predictions.Count + skipped.Count);
        }
        return EvaluationReport.From(model.Classes, predictions, skipped);
    }

    /// <summary>Predicts each image; unusable images come back in <paramref name="skipped"/>.</summary>
    /// <exception cref="ModelLoadException">The model cannot be loaded.</exception>
    public static IReadOnlyList<Prediction> Predict(string modelPath, IEnumerable<string> imagePaths, out IReadOnlyList<SkippedImage> skipped)
    {
        using var model = TrainedModel.Load(modelPath);
        var predictions = new List<Prediction>();
        var bad = new List<SkippedImage>();
        foreach (var path in imagePaths)
        {
            try { predictions.Add(model.Predict(path)); }
            catch (InvalidDataException e) { bad.Add(new SkippedImage(path, e.Message)); }
        }
        skipped = bad;
        return predictions;
    }

    private static ExtractionResult ExtractFeatures(BackboneDescription backbone, TrainSettings settings, IEnumerable<string> paths, IProgress<TrainingEvent>? progress, CancellationToken cancel)
    {
        var options = settings.Extraction;
        if (settings.UseCache)
        {
            var files = new[] { backbone.ModelPath, backbone.PreprocessPath }.OfType<string>();
            string root = settings.CacheFolder ?? FeatureCache.DefaultRoot();
            options.Cache = new FeatureCache(root, FeatureCache.BackboneKey(files, backbone.PreprocessingSignature, memoFolder: root));
        }
        using var extractor = new FeatureExtractor(backbone, options);
        var relay = progress is null ? null : new Progress(p => progress.Report(new ExtractionAdvanced(p)));
        return extractor.Extract(paths, relay, cancel);
    }

    // IProgress<T> that calls back synchronously (System.Progress posts to the thread pool, reordering reports).
    private sealed class Progress(Action<ExtractionProgress> report) : IProgress<ExtractionProgress>
    {
        public void Report(ExtractionProgress value) => report(value);
    }

    private static List<LabelledImage> Usable(IReadOnlyList<LabelledImage> images, ExtractionResult extraction) =>
        images.Where(i => extraction.Features.ContainsKey(i.Path)).ToList();

    private static FeatureSet Features(List<LabelledImage> images, ExtractionResult extraction) =>
        new(images.Select(i => extraction.Features[i.Path]).ToList(), images.Select(i => i.Label).ToList());

    private static void CheckEveryClassHasImages(ImageDataset dataset, List<LabelledImage> train)
    {
        var missing = dataset.Classes.Where((_, label) => !train.Any(i => i.Label == label)).ToList();
        if (missing.Count > 0)
            throw new DatasetException($"Class(es) with no usable training image: {string.Join(", ", missing)} (see the skipped images for reasons).");
    }
}
