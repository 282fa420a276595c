namespace MlNetTransfer.Model;

/// <summary>
/// What the tool writes beside the ML.NET pipeline inside model.zip (entry <see cref="EntryName"/>): a format
/// version stamp, the class names in Score order, and the backbone. ML.NET ignores the entry.
/// </summary>
internal sealed record ModelInfo
{
    public const string EntryName = "MlNetTransfer/model.json";
    /// <summary>
    /// Format 1 (0.1): a path model (column ImagePath). Format 2 adds <see cref="Input"/> and <see cref="LabelKey"/>.
    /// Format 3: an int8 calibration with channel means. Those carried the head apart (head.bin), which 0.2 read to
    /// rebuild the model. Format 4: the zip's graph is the model, and nothing else is needed to run it; 0.2 says it
    /// was written by a newer version instead of missing head.bin. Every format is read.
    /// </summary>
    public const int CurrentFormatVersion = 4;

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

    /// <summary>The calibration temperature the graph divides the logits by (null: none, as before 0.3).</summary>
    public double? Temperature { get; init; }

    /// <summary>The graph's novelty method and threshold (null: no novelty outputs, as before 0.3).</summary>
    public Confidence.NoveltySummary? Novelty { get; init; }

    public string CreatedBy { get; init; } = "MlNetTransfer " + IO.PackageVersion.Of(typeof(ModelInfo));
}
