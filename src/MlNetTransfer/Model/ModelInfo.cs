namespace MlNetTransfer.Model;

/// <summary>
/// What the tool writes beside the ML.NET pipeline inside model.zip (entry <see cref="EntryName"/>): a format
/// version stamp, the class names in Score order, and the backbone. ML.NET ignores the entry.
/// </summary>
internal sealed record ModelInfo
{
    public const string EntryName = "MlNetTransfer/model.json";
    /// <summary>
    /// Format 1: a path model (column ImagePath). Format 2 adds <see cref="Input"/> and <see cref="LabelKey"/>; a path
    /// model without a label key is still written as 1, which older versions read. Format 3: an int8 calibration with
    /// channel means (bias correction), which an older version would read without them and so build another graph
    /// than training's; other models are still written as 1 or 2.
    /// </summary>
    public const int CurrentFormatVersion = 3;

    /// <summary>The format of a model that is no plain path model and has no int8 channel means.</summary>
    public const int FormatWithoutChannelMeans = 2;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>The pipeline's input column; null in format 1 (a path column ImagePath).</summary>
    public ModelInput? Input { get; init; }

    /// <summary>True when the pipeline starts with Model Builder's MapValueToKey of a Label column (its output keeps the key).</summary>
    public bool LabelKey { get; init; }
    public required IReadOnlyList<string> Classes { get; init; }
    public required string Backbone { get; init; }
    /// <summary>The view of an embedded backbone (null: Crop, as models before views had); a custom backbone's is in its description.</summary>
    public Backbones.ImageView? View { get; init; }

    /// <summary>The int8 calibration of an embedded backbone run in int8 (null: float); a custom backbone's is in its description.</summary>
    public Backbones.Int8.Int8Calibration? Int8 { get; init; }

    /// <summary>The full description of a backbone given as an ONNX file (null for embedded ones, found by name).</summary>
    public Backbones.BackboneDescription? CustomBackbone { get; init; }
    public required int ImageSize { get; init; }
    /// <summary>The best epoch's validation figures, when the model was trained by <see cref="ImageClassifier.Train"/>.</summary>
    public ValidationSummary? Validation { get; init; }

    public string CreatedBy { get; init; } = "MlNetTransfer " + IO.PackageVersion.Of(typeof(ModelInfo));
}
