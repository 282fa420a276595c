using MlNetTransfer.Backbones;
using MlNetTransfer.Confidence;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Model;
using MlNetTransfer.Training;

namespace MlNetTransfer.Pipeline;

/// <summary>
/// The one training path, shared by the folder face (<see cref="ImageClassifier.Train"/>) and the ML.NET estimator
/// (<see cref="Vision.ImageClassificationTrainer"/>): a scanned data set → extract (cached) → check → train the
/// head → score validation and test. Each face scans its own source before and saves in its own form after.
/// </summary>
internal static class TrainingPipeline
{
    /// <param name="plan">The run's data set (its scan reported by <see cref="RunPlan.Make"/>), network, views and cache.</param>
    /// <param name="checkData">Run the data check (quadratic in the number of images) and report it.</param>
    /// <exception cref="DatasetException">A class has no usable training image, or no validation image is usable.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the cache keeps what was extracted.</exception>
    /// <param name="reuseValidation">Read validation images' features from the cache when there (false extracts them again).</param>
    /// <param name="reuseTraining">Likewise for training and test images.</param>
    /// <param name="rules">The head's learning-rate schedule and stop rule; null: those the plan's training settings describe.</param>
    public static PipelineResult Run(RunPlan plan, IProgress<TrainingEvent>? progress, CancellationToken cancel,
        bool reuseValidation = true, bool reuseTraining = true, bool checkData = true, TrainingRules? rules = null)
    {
        var (dataset, augmentation, training) = (plan.Dataset, plan.Augmentation, plan.Training);
        // One extractor for the images and their augmented views (the network loads once), released before the head
        // trains: the session's memory is not needed there.
        ExtractionResult extracted;
        List<LabelledImage> train, validation;
        DataCheckReport? dataCheck;
        FeatureSet trainFeatures;
        ExtractionResult? views;
        using (var extractor = new FeatureExtractor(plan.Backbone, plan.Extraction, plan.Cache))
        {
            extracted = Extract(extractor, dataset, progress, cancel, reuseValidation, reuseTraining);
            train = Usable(dataset.Train, extracted);
            validation = Usable(dataset.Validation, extracted);
            CheckUsable(dataset, train, validation);

            dataCheck = checkData ? Check(dataset.Classes, train, validation, extracted) : null;
            if (dataCheck is not null) progress?.Report(new DataChecked(dataCheck));
            (trainFeatures, views) = augmentation.Views > 0
                ? WithAugmentedViews(extractor, augmentation, train, extracted, progress, cancel)
                : (FeaturesOf(train, extracted), null);
        }
        var validationFeatures = FeaturesOf(validation, extracted);
        var result = HeadTrainer.Train(trainFeatures, validationFeatures, dataset.Classes.Count, training,
            m => progress?.Report(new EpochEnded(m)), cancel, rules);
        // The saved graph's extras, fitted on the held-out images: the head's own validation logits give the
        // temperature; the plain training images' features (not augmented views) are the novelty's reference.
        var calibration = TemperatureScaling.Fit(HeadTrainer.LogProbabilities(result.BestWeights, validationFeatures), validationFeatures.Labels, plan.Calibrate);
        var novelty = plan.Novelty == NoveltyMethod.None ? null
            : NoveltyDetector.Fit(FeaturesOf(train, extracted), validationFeatures, plan.NoveltyNeighbours);
        var scoring = new Scoring(result.BestWeights, calibration.Temperature, novelty, dataset.Classes, extracted);
        var validationPredictions = scoring.Score(validation);

        return new PipelineResult
        {
            Dataset = dataset,
            Backbone = plan.Backbone,
            View = plan.View,
            Precision = plan.Precision,
            Extraction = extracted,
            Views = views,
            Train = train,
            Validation = validation,
            DataCheck = dataCheck,
            Training = result,
            ValidationPredictions = validationPredictions,
            Calibration = calibration,
            Novelty = novelty is null ? null : (novelty, novelty.Summary(validationPredictions.Select(p => p.Novelty!.Value).ToList())),
            Test = Summarize(scoring.Score(Usable(dataset.Test, extracted)), dataset.Classes),
        };
    }

    // Validation images first, then training and test images.
    private static ExtractionResult Extract(FeatureExtractor extractor, ImageDataset dataset,
        IProgress<TrainingEvent>? progress, CancellationToken cancel, bool reuseValidation, bool reuseTraining)
    {
        var validationPaths = dataset.Validation.Select(i => i.Path).ToHashSet(StringComparer.Ordinal);
        // An image in both sets (the estimator may be given such data) is extracted once, as a validation image.
        var rest = dataset.Train.Concat(dataset.Test).Where(i => !validationPaths.Contains(i.Path)).DistinctBy(i => i.Path, StringComparer.Ordinal).ToList();
        int total = validationPaths.Count + rest.Count;
        var validation = extractor.Extract(dataset.Validation, Relay(progress, ImageSet.Validation, null, total), cancel, reuseValidation);
        var others = extractor.Extract(rest, Relay(progress, ImageSet.Training, validation, total), cancel, reuseTraining);
        return ExtractionResult.Combine(validation, others);
    }

    // The extractor's progress, passed on as training events: within the set, and over the step with the sets before it.
    private static IProgress<ExtractionProgress>? Relay(IProgress<TrainingEvent>? progress, ImageSet set, ExtractionResult? before, int total) =>
        progress is null ? null : new SyncProgress<ExtractionProgress>(p => progress.Report(new ExtractionAdvanced(
            before is null ? p with { Total = total } : new ExtractionProgress(before.Images + p.Done, total, before.FromCache + p.FromCache,
                before.Extracted + p.Extracted, before.Skipped.Count + p.Skipped, TimeSpan.FromSeconds(before.Seconds) + p.Elapsed),
            set, p)));

    /// <summary>The features of <paramref name="images"/> with their labels, as the head trainer takes them.</summary>
    internal static FeatureSet FeaturesOf(IReadOnlyList<LabelledImage> images, ExtractionResult extraction) =>
        new(images.Select(i => extraction.Features[i.Path]).ToList(), images.Select(i => i.Label).ToList());

    private static List<LabelledImage> Usable(IReadOnlyList<LabelledImage> images, ExtractionResult extraction) =>
        images.Where(i => extraction.Features.ContainsKey(i.Path)).ToList();

    private static void CheckUsable(ImageDataset dataset, List<LabelledImage> train, List<LabelledImage> validation)
    {
        var missing = dataset.Classes.Where((_, label) => !train.Any(i => i.Label == label)).ToList();
        if (missing.Count > 0)
            throw new DatasetException($"Class(es) with no usable training image: {string.Join(", ", missing)} (see the skipped images for reasons).");
        if (validation.Count == 0)
            throw new DatasetException("No usable validation image: add images, or hold out a larger share of them for validation.");
    }

    private static DataCheckReport Check(IReadOnlyList<string> classes, List<LabelledImage> train, List<LabelledImage> validation, ExtractionResult extraction) =>
        DataCheck.Run(
            train.Select(i => new CheckedImage(i.Path, i.Label, false, extraction.Features[i.Path]))
                .Concat(validation.Select(i => new CheckedImage(i.Path, i.Label, true, extraction.Features[i.Path]))).ToList(),
            classes);

    // Each training image's augmented views (extracted once, cached) join the training set; validation stays plain.
    private static (FeatureSet Features, ExtractionResult Views) WithAugmentedViews(FeatureExtractor extractor,
        AugmentationSettings augmentation, List<LabelledImage> train, ExtractionResult extraction, IProgress<TrainingEvent>? progress, CancellationToken cancel)
    {
        var views = extractor.ExtractViews(train, augmentation.Transform, augmentation.Views, Relay(progress, ImageSet.AugmentedViews, null, train.Count * augmentation.Views), cancel);
        var viewed = train.SelectMany(i => Enumerable.Range(0, augmentation.Views).Select(v => new LabelledImage(FeatureExtractor.ViewId(i.Path, v), i.Label)))
            .Where(v => views.Features.ContainsKey(v.Path)).ToList();
        var features = train.Select(i => extraction.Features[i.Path]).Concat(viewed.Select(v => views.Features[v.Path])).ToList();
        return (new FeatureSet(features, train.Select(i => i.Label).Concat(viewed.Select(v => v.Label)).ToList()), views);
    }

    // What the saved model answers for images whose features are known: calibrated probabilities and the novelty.
    private sealed record Scoring(HeadWeights Head, double Temperature, NoveltyDetector? Novelty, IReadOnlyList<string> Classes, ExtractionResult Extraction)
    {
        public List<Prediction> Score(List<LabelledImage> images)
        {
            var features = FeaturesOf(images, Extraction);
            var logProbabilities = HeadTrainer.LogProbabilities(Head, features);
            return images.Select((image, i) =>
            {
                var logits = logProbabilities[i].Select(v => (float)(v / Temperature)).ToArray();
                var prediction = Prediction.FromLogits(image.Path, Classes, logits) with { Label = Classes[image.Label] };
                if (Novelty is null) return prediction;
                float novelty = Novelty.Score(features.Row(i));
                return prediction with { Novelty = novelty, Unknown = novelty > Novelty.Threshold };
            }).ToList();
        }
    }

    // The test folder is scored once, with the best epoch's weights, and reported apart from validation.
    private static ValidationSummary? Summarize(List<Prediction> test, IReadOnlyList<string> classes)
    {
        if (test.Count == 0) return null;
        var index = classes.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        double loss = -test.Average(p => Math.Log(Math.Max(p.Scores[index[p.Label!]], 1e-12)));
        double accuracy = test.Count(p => p.PredictedLabel == p.Label) / (double)test.Count;
        return new ValidationSummary(accuracy, loss, test.Count);
    }
}

/// <summary>Augmented training views: how many per image, and the transform that makes them.</summary>
internal sealed record AugmentationSettings(int Views, ViewAugmentation Transform);
