using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Training;

namespace MlNetTransfer.Pipeline;

/// <summary>One view's figures in <see cref="ViewChoiceReport"/>: accuracy and loss of a linear model, cross-validated on the training images.</summary>
internal sealed record ViewFigures(ImageView View, double CrossValidatedAccuracy, double CrossValidatedLoss);

/// <summary>The view a run used, and, when it was chosen (<see cref="ImageView.Auto"/>), the figures it was chosen on.</summary>
internal sealed record ViewChoiceReport(ImageView Chosen, string Reason, IReadOnlyList<ViewFigures> Candidates, int Folds)
{
    /// <summary>Training images extracted (not read from the cache) in the view not chosen: the choice's own cost.</summary>
    public int ExtractedForChoice { get; init; }

    /// <summary>Seconds of that extraction and its lookups.</summary>
    public double SecondsForChoice { get; init; }
}

/// <summary>
/// The view for a data set, by measurement on its training images only (validation reports the result, so it has no
/// say): the training images' features in each candidate view (the second view is the one extra extraction a first
/// run makes; both are cached), then a linear softmax model cross-validated on each, k folds stratified by class. The
/// better accuracy wins, then the lower loss; a tie in both keeps Crop.
/// </summary>
internal static class ViewChoice
{
    public static readonly IReadOnlyList<ImageView> Candidates = [ImageView.Crop, ImageView.Fill];
    public const int Folds = 5;

    /// <summary>
    /// Chooses; returns the view, the report, the chosen view's training features (extracted already), and, when the
    /// chosen view is Crop, its extractor, network loaded, for the rest of the run (the caller takes it over).
    /// </summary>
    public static (ImageView View, ViewChoiceReport Report, ExtractionResult? Features, FeatureExtractor? Extractor) Run(ImageDataset dataset,
        BackboneDescription backbone, ExtractorOptions options, Func<BackboneDescription, FeatureCache?> cacheFor, int seed,
        IProgress<TrainingEvent>? progress, CancellationToken cancel)
    {
        if (SmallestClass(dataset.Train, dataset.Classes.Count) < 2)
            return (ImageView.Crop, TooFew, null, null);
        progress?.Report(new ViewChoosing(Candidates, dataset.Train.Count, Math.Min(Folds, SmallestClass(dataset.Train, dataset.Classes.Count))));
        var extractions = new Dictionary<ImageView, ExtractionResult>();
        // Crop, the view a tie keeps and most data sets choose, is extracted last, and its extractor kept: the run's
        // validation images then go through the network already loaded (one load fewer), with never more than one
        // network in memory. The view extracted first bears the process's first network load (SecondsForChoice).
        FeatureExtractor? last = null;
        try
        {
            foreach (var view in Candidates.Reverse())
            {
                last?.Dispose();
                last = null;
                var viewed = backbone.WithView(view);
                last = new FeatureExtractor(viewed, options.With(cacheFor(viewed)));
                extractions[view] = last.Extract(dataset.Train, Relay(progress, view, dataset.Train.Count), cancel);
            }
            var (chosen, report) = Choose(dataset, extractions, seed, progress, cancel);
            var kept = chosen == Candidates[0] ? last : null;
            if (kept is null) last?.Dispose();
            return (chosen, report, extractions[chosen], kept);
        }
        catch
        {
            last?.Dispose();
            throw;
        }
    }

    private static (ImageView View, ViewChoiceReport Report) Choose(ImageDataset dataset, Dictionary<ImageView, ExtractionResult> extractions, int seed,
        IProgress<TrainingEvent>? progress, CancellationToken cancel)
    {
        // The folds are made of the images usable in every view (an image skipped by the decoder is skipped in both).
        var usable = dataset.Train.Where(i => extractions.Values.All(e => e.Features.ContainsKey(i.Path))).ToList();
        int folds = Math.Min(Folds, SmallestClass(usable, dataset.Classes.Count));
        if (folds < 2)
            return (ImageView.Crop, TooFew);
        var figures = Candidates.Select(view =>
        {
            var (accuracy, loss) = CrossValidate(usable, extractions[view], dataset.Classes.Count, folds, seed, cancel);
            return new ViewFigures(view, accuracy, loss);
        }).ToList();
        var best = figures.OrderByDescending(f => f.CrossValidatedAccuracy).ThenBy(f => f.CrossValidatedLoss).First();
        var chosen = figures.All(f => f.CrossValidatedAccuracy == best.CrossValidatedAccuracy && f.CrossValidatedLoss == best.CrossValidatedLoss) ? ImageView.Crop : best.View;
        var other = extractions.Where(e => e.Key != chosen).Select(e => e.Value).ToList();
        var report = new ViewChoiceReport(chosen, $"chosen by {folds}-fold cross-validation of a linear model on the {usable.Count} usable training images", figures, folds)
        {
            ExtractedForChoice = other.Sum(e => e.Extracted),
            SecondsForChoice = other.Sum(e => e.Seconds),
        };
        progress?.Report(new ViewChosen(report));
        return (chosen, report);
    }

    private static readonly ViewChoiceReport TooFew = new(ImageView.Crop, "a class has fewer than 2 usable training images: too few to compare views, Crop kept", [], 0);

    private static int SmallestClass(IReadOnlyList<LabelledImage> images, int classes) =>
        Enumerable.Range(0, classes).Min(c => images.Count(i => i.Label == c));

    // Mean held-out accuracy and loss over the folds, each at the epoch with the lowest held-out loss.
    private static (double Accuracy, double Loss) CrossValidate(List<LabelledImage> images, ExtractionResult features, int classes, int folds, int seed, CancellationToken cancel)
    {
        var fold = new int[images.Count];
        var random = new SeededRandom(seed);
        for (int c = 0; c < classes; c++)
        {
            var members = Enumerable.Range(0, images.Count).Where(i => images[i].Label == c).ToArray();
            random.Shuffle(members);
            for (int k = 0; k < members.Length; k++) fold[members[k]] = k % folds;
        }
        var options = new TrainingOptions { Hidden = 0, Dropout = 0, Epochs = 40, Patience = 5, Seed = seed };
        double accuracy = 0, loss = 0;
        for (int f = 0; f < folds; f++)
        {
            var held = images.Where((_, i) => fold[i] == f).ToList();
            var kept = images.Where((_, i) => fold[i] != f).ToList();
            var result = HeadTrainer.Train(TrainingPipeline.FeaturesOf(kept, features), TrainingPipeline.FeaturesOf(held, features), classes, options, cancel: cancel);
            accuracy += result.Best.ValidationAccuracy * held.Count;
            loss += result.Best.ValidationLoss * held.Count;
        }
        return (accuracy / images.Count, loss / images.Count);
    }

    private static IProgress<ExtractionProgress>? Relay(IProgress<TrainingEvent>? progress, ImageView view, int total) =>
        progress is null ? null : new SyncProgress<ExtractionProgress>(p => progress.Report(new ExtractionAdvanced(p with { Total = total }, ImageSet.ViewCandidates, p) { View = view }));
}
