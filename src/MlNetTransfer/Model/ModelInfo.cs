namespace MlNetTransfer.Model;

/// <summary>
/// What the tool writes beside the ML.NET pipeline inside model.zip (entry <see cref="EntryName"/>): a format
/// version stamp, the class names in Score order, and the backbone. ML.NET ignores the entry.
/// </summary>
public sealed record ModelInfo
{
    public const string EntryName = "MlNetTransfer/model.json";
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public required IReadOnlyList<string> Classes { get; init; }
    public required string Backbone { get; init; }
    /// <summary>The full description of a backbone given as an ONNX file (null for embedded ones, found by name).</summary>
    public Backbones.BackboneDescription? CustomBackbone { get; init; }
    public required int ImageSize { get; init; }
    public string CreatedBy { get; init; } = "MlNetTransfer " + typeof(ModelInfo).Assembly.GetName().Version;
}
