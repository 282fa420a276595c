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
    public const string EpochsFileName = "epochs.csv";
    /// <summary>The resolved settings of a run; <c>train --config</c> on it repeats the run.</summary>
    public const string SettingsFileName = "train.json";

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

        var backbone = BackboneRegistry.Resolve(settings.Backbone, settings.BackbonePreprocessing);
        var extractorOptions = settings.Extraction.With(settings.UseCache ? FeatureCache.For(backbone, settings.CacheFolder) : null);
        var extraction = ExtractFeatures(backbone, extractorOptions, dataset.Train.Concat(dataset.Validation).Concat(dataset.Test).Select(i => i.Path), progress, cancel);

        var train = Usable(dataset.Train, extraction);
        var validation = Usable(dataset.Validation, extraction);
        CheckEveryClassHasImages(dataset, train);
        if (validation.Count == 0)
            throw new DatasetException("No usable validation image: add images, or use a larger --validation-fraction.");

        var dataCheck = DataCheck.Run(
            train.Select(i => new CheckedImage(i.Path, i.Label, false, extraction.Features[i.Path]))
                .Concat(validation.Select(i => new CheckedImage(i.Path, i.Label, true, extraction.Features[i.Path]))).ToList(),
            dataset.Classes);
        progress?.Report(new DataChecked(dataCheck));
        var validationFeatures = Features(validation, extraction);
        var (trainFeatures, views) = settings.Augment > 0
            ? WithAugmentedViews(settings, backbone, extractorOptions, train, extraction, progress, cancel)
            : (Features(train, extraction), null);
        var result = HeadTrainer.Train(
            trainFeatures, validationFeatures, dataset.Classes.Count, settings.Training,
            m => progress?.Report(new EpochEnded(m, settings.Training.Epochs)), cancel);

        string modelPath = Path.GetFullPath(Path.Combine(settings.OutputFolder, ModelFileName));
        progress?.Report(new SavingModel(modelPath));
        cancel.ThrowIfCancellationRequested();
        ModelWriter.Save(modelPath, backbone, result.BestWeights, dataset.Classes, extractorOptions.Cache?.BackboneFolder);

        var probabilities = HeadTrainer.Predict(result.BestWeights, validationFeatures);
        var predictions = validation.Select((image, i) => new ValidationPrediction(
            image.Path, dataset.Classes[image.Label], dataset.Classes[System.Numerics.Tensors.TensorPrimitives.IndexOfMax(probabilities[i])], probabilities[i])).ToList();
        var testSummary = Summarize(result.BestWeights, Usable(dataset.Test, extraction), extraction);
        var validationReport = EvaluationReport.From(dataset.Classes,
            validation.Select((image, i) => (image, new Prediction(image.Path, predictions[i].PredictedLabel, probabilities[i].Max(), probabilities[i]))).ToList(),
            extraction.Skipped);
        string htmlReport = Reports.HtmlReport.Write(settings.OutputFolder, $"MlNetTransfer training report: {Path.GetFileName(Path.GetFullPath(settings.DataFolder))}",
            validationReport, result.Epochs, result.BestEpoch);
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
            ReportPath = htmlReport,
            DataCheck = dataCheck,
            Test = testSummary,
            AugmentedViews = views is null ? null : new ExtractionSummary(views.Images, views.FromCache, views.Extracted, views.Seconds, views.CorruptCacheEntries),
        };
        WriteRunFiles(settings, report);
        return report;
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
        using var model = TrainedModel.Load(modelPath);
        var files = ImageDataset.ScanLabelledFolder(dataFolder);
        var unknown = files.Keys.Where(c => !model.Classes.Contains(c)).ToList();
        if (unknown.Count > 0)
            throw new DatasetException($"{dataFolder} has classes the model was not trained on: {string.Join(", ", unknown)}. Model classes: {string.Join(", ", model.Classes)}.");
        var classIndex = model.Classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var images = files.SelectMany(kv => kv.Value.Select(p => new LabelledImage(p, classIndex[kv.Key]))).ToList();
        var (predictions, skipped) = PredictBatched(model, images.Select(i => i.Path), cacheFolder, device, progress, cancel);
        var byPath = predictions.ToDictionary(p => p.ImagePath, StringComparer.Ordinal);
        var pairs = images.Where(i => byPath.ContainsKey(i.Path)).Select(i => (i, byPath[i.Path])).ToList();
        return EvaluationReport.From(model.Classes, pairs, skipped);
    }

    /// <summary>Predicts each image in batches (cached features); unusable images come back in <paramref name="skipped"/>.</summary>
    /// <param name="device">Where the network extracts the features not in the cache.</param>
    /// <exception cref="ModelLoadException">The model cannot be loaded.</exception>
    public static IReadOnlyList<Prediction> Predict(string modelPath, IEnumerable<string> imagePaths, out IReadOnlyList<SkippedImage> skipped, string? cacheFolder = null,
        ComputeDevice device = ComputeDevice.Cpu)
    {
        using var model = TrainedModel.Load(modelPath);
        var (predictions, bad) = PredictBatched(model, imagePaths, cacheFolder, device, null, default);
        skipped = bad;
        return predictions;
    }

    private static (List<Prediction>, IReadOnlyList<SkippedImage>) PredictBatched(TrainedModel model, IEnumerable<string> paths, string? cacheFolder,
        ComputeDevice device, IProgress<ExtractionProgress>? progress, CancellationToken cancel)
    {
        var backbone = model.Backbone();
        var options = new ExtractorOptions { Cache = FeatureCache.For(backbone, cacheFolder), Device = device };
        using var extractor = new FeatureExtractor(backbone, options);
        var ordered = paths.Distinct(StringComparer.Ordinal).ToList();
        var extraction = extractor.Extract(ordered, progress, cancel);
        var usable = ordered.Where(extraction.Features.ContainsKey).ToList();
        var probabilities = HeadTrainer.Predict(model.Head, new FeatureSet(usable.Select(p => extraction.Features[p]).ToList(), usable.Select(_ => 0).ToList()));
        var predictions = usable.Select((path, i) =>
        {
            int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(probabilities[i]);
            return new Prediction(path, model.Classes[best], probabilities[i][best], probabilities[i]);
        }).ToList();
        return (predictions, extraction.Skipped);
    }


    private static ExtractionResult ExtractFeatures(BackboneDescription backbone, ExtractorOptions options, IEnumerable<string> paths, IProgress<TrainingEvent>? progress, CancellationToken cancel)
    {
        using var extractor = new FeatureExtractor(backbone, options);
        return extractor.Extract(paths, ExtractionRelay(progress), cancel);
    }

    // The extractor's progress, passed on as training events.
    private static IProgress<ExtractionProgress>? ExtractionRelay(IProgress<TrainingEvent>? progress) =>
        progress is null ? null : new SyncProgress<ExtractionProgress>(p => progress.Report(new ExtractionAdvanced(p)));

    // Each training image's augmented views (extracted once, cached) join the training set; validation stays plain.
    private static (FeatureSet Features, ExtractionResult Views) WithAugmentedViews(TrainSettings settings, BackboneDescription backbone,
        ExtractorOptions extractorOptions, List<LabelledImage> train, ExtractionResult extraction, IProgress<TrainingEvent>? progress, CancellationToken cancel)
    {
        using var viewExtractor = new FeatureExtractor(backbone, extractorOptions);
        var views = viewExtractor.ExtractViews(train.Select(i => i.Path), settings.Augmentation, settings.Augment, ExtractionRelay(progress), cancel);
        var viewed = train.SelectMany(i => Enumerable.Range(0, settings.Augment).Select(v => (Id: FeatureExtractor.ViewId(i.Path, v), i.Label)))
            .Where(v => views.Features.ContainsKey(v.Id)).ToList();
        var features = new FeatureSet(
            train.Select(i => extraction.Features[i.Path]).Concat(viewed.Select(v => views.Features[v.Id])).ToList(),
            train.Select(i => i.Label).Concat(viewed.Select(v => v.Label)).ToList());
        return (features, views);
    }

    // The test folder is scored once, with the best epoch's weights, and reported apart from validation.
    private static ValidationSummary? Summarize(HeadWeights weights, List<LabelledImage> test, ExtractionResult extraction)
    {
        if (test.Count == 0) return null;
        var probabilities = HeadTrainer.Predict(weights, Features(test, extraction));
        double loss = -test.Select((image, i) => Math.Log(Math.Max(probabilities[i][image.Label], 1e-12))).Average();
        double accuracy = test.Where((image, i) => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(probabilities[i]) == image.Label).Count() / (double)test.Count;
        return new ValidationSummary(accuracy, loss, test.Count);
    }

    private static void WriteRunFiles(TrainSettings settings, TrainReport report)
    {
        AtomicFile.WriteText(Path.Combine(settings.OutputFolder, MetricsFileName), JsonSerializer.Serialize(report, Json.Options));
        AtomicFile.WriteText(Path.Combine(settings.OutputFolder, EpochsFileName), EpochsCsv(report.Epochs));
        AtomicFile.WriteText(Path.Combine(settings.OutputFolder, SettingsFileName), JsonSerializer.Serialize(settings.Resolved(), Json.Options));
        AtomicFile.WriteText(Path.Combine(settings.OutputFolder, ValidationPredictionsFileName), JsonSerializer.Serialize(report.ValidationPredictions, Json.Options));
    }

    private static string EpochsCsv(IEnumerable<EpochMetrics> epochs)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var csv = new System.Text.StringBuilder("epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,is_best,seconds\n");
        foreach (var e in epochs)
            csv.AppendLine(string.Create(inv, $"{e.Epoch},{e.TrainLoss:R},{e.TrainAccuracy:R},{e.ValidationLoss:R},{e.ValidationAccuracy:R},{(e.IsBest ? 1 : 0)},{e.Seconds:F3}"));
        return csv.ToString();
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
