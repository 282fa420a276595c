using MlNetTransfer.Features;
using MlNetTransfer.Training;

namespace MlNetTransfer;

/// <summary>Everything a training run needs; each setting has a default that works.</summary>
public sealed class TrainSettings
{
    /// <summary>Folder with one sub-folder per class (or train/ and val/ folders holding those).</summary>
    public required string DataFolder { get; set; }

    /// <summary>Where model.zip and metrics.json go.</summary>
    public string OutputFolder { get; set; } = "mlnettransfer-output";

    /// <summary>Feature cache folder; null uses <see cref="FeatureCache.DefaultRoot"/>.</summary>
    public string? CacheFolder { get; set; }

    /// <summary>False extracts every image afresh and stores nothing.</summary>
    public bool UseCache { get; set; } = true;

    /// <summary>Share of each class held out for validation when the data has no train/val folders.</summary>
    public double ValidationFraction { get; set; } = 0.2;

    /// <summary>Name of an embedded backbone.</summary>
    public string Backbone { get; set; } = Backbones.BackboneRegistry.DefaultName;

    public TrainingOptions Training { get; set; } = new();

    public ExtractorOptions Extraction { get; set; } = new();
}
