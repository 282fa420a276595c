using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.IO;
using MlNetTransfer.Training;

namespace MlNetTransfer;

/// <summary>Everything a training run needs; each setting has a default that works.</summary>
public sealed record TrainSettings
{
    /// <summary>Folder with one sub-folder per class (or train/ and val/ folders holding those).</summary>
    public required string DataFolder { get; set; }

    /// <summary>Where model.zip and metrics.json go.</summary>
    public string OutputFolder { get; set; } = "runs/train";

    /// <summary>Feature cache folder; null uses <see cref="FeatureCache.DefaultRoot"/>.</summary>
    public string? CacheFolder { get; set; }

    /// <summary>False extracts every image afresh and stores nothing.</summary>
    public bool UseCache { get; set; } = true;

    /// <summary>Share of each class held out for validation when the data has no train/val folders.</summary>
    public double ValidationFraction { get; set; } = ImageDataset.DefaultValidationFraction;

    /// <summary>Name of an embedded backbone, or the path of an ImageNet classifier exported to ONNX.</summary>
    public string Backbone { get; set; } = Backbones.BackboneRegistry.DefaultName;

    /// <summary>Preprocessing of an ONNX backbone given by path (overrides the JSON beside it); ignored for embedded ones.</summary>
    public Backbones.BackbonePreprocessing? BackbonePreprocessing { get; set; }

    public TrainingOptions Training { get; set; } = new();

    /// <summary>Extra random views of each training image (RandomResizedCrop, rotation, flip), extracted once and cached; 0: none.</summary>
    public int Augment { get; set; }

    /// <summary>The views' transform parameters.</summary>
    public ViewAugmentation Augmentation { get; set; } = new();

    public ExtractorOptions Extraction { get; set; } = new();

    /// <summary>
    /// How an image is brought to the network's input: <see cref="Backbones.ImageView.Auto"/> (the default) takes
    /// IsoCrop when the training images are square and Crop otherwise (from their headers); or fix Crop, Fill or IsoCrop.
    /// </summary>
    public Backbones.ImageView View { get; set; } = Backbones.ImageView.Auto;

    /// <summary>
    /// The network's arithmetic: fp32 (the default), int8 (embedded backbones, CPU), quantized on this data set's
    /// training images: the network about 3× faster on processors with VNNI, extraction with decoding 1.4-1.9×,
    /// features at a cosine of about 0.991-0.999 to fp32's, by data set (docs/int8.md), or <see cref="Backbones.Precision.Auto"/>:
    /// int8 where it was measured (an embedded backbone on the CPU of an x86 processor with VNNI), fp32 elsewhere.
    /// metrics.json says which a run used and why.
    /// </summary>
    public Backbones.Precision Precision { get; set; } = Backbones.Precision.Fp32;

    /// <summary>Written to train.json: the view a run used and why (informative: a run with <see cref="View"/> Auto decides again, alike).</summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal Pipeline.ViewChoiceReport? ViewChoice { get; set; }

    /// <summary>What the saved model reads an image from: a path (the ML.NET packages suffice) or its bytes (the app references MlNetTransfer).</summary>
    public Model.ImageInputKind Input { get; set; } = Model.ImageInputKind.Path;

    /// <summary>The saved model's input column; null: ImagePath for paths, ImageSource (Model Builder's name) for bytes.</summary>
    public string? InputColumn { get; set; }

    /// <summary>
    /// Fit a temperature on the validation images after training and fold it into the saved graph, so that Score is
    /// calibrated (docs/unknown-images.md); false keeps the head's own probabilities. Either way metrics.json gives
    /// the calibration error.
    /// </summary>
    public bool Calibrate { get; set; } = true;

    /// <summary>
    /// How the saved model scores the novelty of an image (outputs Novelty and Unknown), from its features and the
    /// training images'; <see cref="Confidence.NoveltyMethod.None"/>: no novelty outputs. The threshold flags about 5 %
    /// of the validation images.
    /// </summary>
    public Confidence.NoveltyMethod Novelty { get; set; } = Confidence.NoveltyMethod.Knn;

    /// <summary>Neighbours of <see cref="Confidence.NoveltyMethod.Knn"/> (1 to 50).</summary>
    public int NoveltyNeighbours { get; set; } = 1;

    /// <summary>A copy with absolute paths, as written to train.json.</summary>
    public TrainSettings Resolved() => this with
    {
        DataFolder = Path.GetFullPath(DataFolder),
        OutputFolder = Path.GetFullPath(OutputFolder),
        CacheFolder = CacheFolder is null ? null : Path.GetFullPath(CacheFolder),
        Backbone = Backbone.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? Path.GetFullPath(Backbone) : Backbone,
    };

    /// <summary>Reads settings written by <see cref="Resolved"/> (train.json).</summary>
    /// <exception cref="InvalidDataException">The file is not valid settings JSON.</exception>
    public static TrainSettings Load(string path)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<TrainSettings>(File.ReadAllText(path), Json.Options)
                ?? throw new InvalidDataException($"{path}: empty settings file");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid training settings ({e.Message})", e);
        }
    }
}
