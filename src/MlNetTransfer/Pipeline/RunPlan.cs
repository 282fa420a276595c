using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;

namespace MlNetTransfer.Pipeline;

/// <summary>
/// Everything a run needs, decided in one place from the settings and the data set: the network (backbone, view,
/// precision, int8 calibration on the training images), the augmented views, and the feature cache. <c>train</c>,
/// <c>extract</c> and the estimator all make their plan here, so an <c>extract</c> with a run's settings fills the
/// cache with exactly the features that run reads.
/// </summary>
internal sealed record RunPlan
{
    public required ImageDataset Dataset { get; init; }

    /// <summary>The network as the run uses it: in its view, and in int8 calibrated when the precision is int8.</summary>
    public required BackboneDescription Backbone { get; init; }

    public required PrecisionChoice Precision { get; init; }
    public required ViewChoiceReport View { get; init; }
    public required AugmentationSettings Augmentation { get; init; }

    /// <summary>The head's settings, validated.</summary>
    public required Training.TrainingOptions Training { get; init; }

    public required ExtractorOptions Extraction { get; init; }

    /// <summary>Fit the calibration temperature on the validation images (false keeps T = 1 and only measures).</summary>
    public bool Calibrate { get; init; } = true;

    /// <summary>The novelty method the saved graph gets, and its neighbours (k-NN).</summary>
    public Confidence.NoveltyMethod Novelty { get; init; } = Confidence.NoveltyMethod.None;
    public int NoveltyNeighbours { get; init; } = 1;

    /// <summary>The cache of <see cref="Backbone"/>'s features; null when the settings turn it off.</summary>
    public FeatureCache? Cache { get; init; }

    /// <summary>
    /// Resolves the backbone and precision (settings errors come before the data set is scanned), scans the data set
    /// with <paramref name="scan"/>, chooses the view (<see cref="ViewRule"/> unless one is set) and calibrates int8.
    /// </summary>
    /// <exception cref="DatasetException">The data set cannot be used.</exception>
    public static RunPlan Make(TrainSettings settings, Func<ImageDataset> scan, IProgress<TrainingEvent>? progress, CancellationToken cancel)
    {
        settings.Training.Validate();
        MlNetTransferException.ThrowIfUndefined(settings.Novelty, nameof(TrainSettings.Novelty));
        MlNetTransferException.ThrowIfUndefined(settings.View, nameof(TrainSettings.View));
        MlNetTransferException.ThrowIfUndefined(settings.Precision, nameof(TrainSettings.Precision));
        MlNetTransferException.ThrowIfUndefined(settings.Input, nameof(TrainSettings.Input));
        MlNetTransferException.ThrowIfUndefined(settings.Extraction.Device, Features.ExtractorOptions.DeviceSetting);
        if (settings.Augment < 0)
            throw new MlNetTransferException($"Augment must be 0 or more, not {settings.Augment}.", nameof(TrainSettings.Augment));
        settings.Augmentation.Validate();
        if (settings.Novelty == Confidence.NoveltyMethod.Knn && settings.NoveltyNeighbours is < 1 or > 50)
            throw new MlNetTransferException($"NoveltyNeighbours must be 1 to 50 (got {settings.NoveltyNeighbours}).", nameof(TrainSettings.NoveltyNeighbours));
        var described = BackboneRegistry.Resolve(settings.Backbone, settings.BackbonePreprocessing);
        var precision = PrecisionChoice.Resolve(settings.Precision, described, settings.Extraction.Device);
        var dataset = scan();
        progress?.Report(new DatasetScanned(dataset.Classes.Count, dataset.Train.Count, dataset.Validation.Count, dataset.HasOwnSplit));
        progress?.Report(new PrecisionChosen(precision));
        var view = settings.View == ImageView.Auto ? ViewRule.Choose(dataset.Train) : new ViewChoiceReport(settings.View, "as set");
        progress?.Report(new ViewChosen(view));
        FeatureCache? CacheFor(BackboneDescription b) => settings.UseCache ? FeatureCache.For(b, settings.CacheFolder) : null;
        var backbone = described.WithView(view.Chosen);
        if (precision.Precision == Backbones.Precision.Int8)
            backbone = Int8Backbones.Quantize(backbone, dataset.Train, CacheFor, settings.Extraction.Device,
                calibrating: images => progress?.Report(new Calibrating(images)), cancel: cancel);
        return new RunPlan
        {
            Dataset = dataset,
            Backbone = backbone,
            Precision = precision,
            View = view,
            Augmentation = new AugmentationSettings(settings.Augment, settings.Augmentation),
            Training = settings.Training,
            Extraction = settings.Extraction,
            Cache = CacheFor(backbone),
            Calibrate = settings.Calibrate,
            Novelty = settings.Novelty,
            NoveltyNeighbours = settings.NoveltyNeighbours,
        };
    }
}
