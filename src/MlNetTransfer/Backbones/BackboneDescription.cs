namespace MlNetTransfer.Backbones;

/// <summary>How an image is brought to the network's input size before the network sees it.</summary>
internal enum ResizeMode
{
    /// <summary>Shorter side to <see cref="BackboneDescription.ResizeTo"/>, then a centred square crop of the input size (ImageNet's eval transform).</summary>
    ResizeThenCenterCrop,
    /// <summary>Stretch the whole image to the input size, ignoring its aspect ratio.</summary>
    Stretch,
}

/// <summary>
/// A pretrained network described as data: which ONNX file, which nodes, what the input must look like.
/// A new backbone needs a new description, not a new code path.
/// </summary>
internal sealed record BackboneDescription
{
    /// <summary>Short name shown to users and stored in the model's metadata.</summary>
    public required string Name { get; init; }

    /// <summary>Path of the network's ONNX file.</summary>
    public required string ModelPath { get; init; }

    /// <summary>Input node of the network.</summary>
    public required string InputNode { get; init; }

    /// <summary>Node holding the pooled features (the layer before the ImageNet classifier).</summary>
    public required string FeatureNode { get; init; }

    /// <summary>Length of the feature vector.</summary>
    public required int FeatureSize { get; init; }

    /// <summary>Side of the square image the network takes.</summary>
    public required int InputSize { get; init; }

    /// <summary>Side the image is resized to before cropping (equal to <see cref="InputSize"/> for <see cref="ResizeMode.Stretch"/>).</summary>
    public required int ResizeTo { get; init; }

    /// <summary>How the image reaches <see cref="InputSize"/>.</summary>
    public ResizeMode Resize { get; init; } = ResizeMode.ResizeThenCenterCrop;

    /// <summary>
    /// Optional ONNX graph that turns planar RGB pixels in 0..255 into the network's input
    /// (the shipped ResNet18 wants BGR minus a mean image); null when the network takes the pixels as they are.
    /// </summary>
    public string? PreprocessPath { get; init; }

    /// <summary>Input node of <see cref="PreprocessPath"/>.</summary>
    public string? PreprocessInputNode { get; init; }

    /// <summary>Output node of <see cref="PreprocessPath"/>.</summary>
    public string? PreprocessOutputNode { get; init; }

    /// <summary>
    /// Normalisation applied inside the graph when there is no <see cref="PreprocessPath"/>: per channel
    /// (x * <see cref="PixelScale"/> - mean) / std, after reordering to BGR when <see cref="Bgr"/>. Null: none.
    /// </summary>
    public float[]? Mean { get; init; }

    /// <summary>Per-channel standard deviation of the normalisation (see <see cref="Mean"/>).</summary>
    public float[]? Std { get; init; }

    /// <summary>Factor applied to the 0..255 pixels before the normalisation (1/255 for networks trained on 0..1 input).</summary>
    public float PixelScale { get; init; } = 1f;

    /// <summary>True when the network takes channels in B, G, R order.</summary>
    public bool Bgr { get; init; }

    /// <summary>The network quantized to int8 with this calibration (<see cref="Int8.Int8Graph"/>); null runs it in float.</summary>
    public Int8.Int8Calibration? Int8 { get; init; }

    /// <summary>The view of the image this description gives (Crop, Fill or IsoCrop).</summary>
    public ImageView View => Resize == ResizeMode.Stretch ? ImageView.Fill : ResizeTo > InputSize ? ImageView.Crop : ImageView.IsoCrop;

    /// <summary>
    /// This backbone with <paramref name="view"/>: Crop resizes the shorter side to this description's crop size (or
    /// input × 8/7 when it has none) and crops the centre; Fill stretches; IsoCrop resizes the shorter side to the input.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="ImageView.Auto"/>, which is a choice, not a view.</exception>
    public BackboneDescription WithView(ImageView view) => view switch
    {
        ImageView.Crop => this with { Resize = ResizeMode.ResizeThenCenterCrop, ResizeTo = View == ImageView.Crop ? ResizeTo : (int)Math.Round(InputSize * 256.0 / 224) },
        ImageView.Fill => this with { Resize = ResizeMode.Stretch, ResizeTo = InputSize },
        ImageView.IsoCrop => this with { Resize = ResizeMode.ResizeThenCenterCrop, ResizeTo = InputSize },
        _ => throw new ArgumentException("Auto is chosen per data set before a backbone is described; give Crop, Fill or IsoCrop.", nameof(view)),
    };

    /// <summary>The side of the image that ML.NET decodes and resizes to: the crop happens inside the ONNX graph.</summary>
    public int DecodedSize => Resize == ResizeMode.Stretch ? InputSize : ResizeTo;

    /// <summary>A string naming every setting of the backbone that changes what the network sees; part of the cache key (with the decoder's, <see cref="Data.ImagePixels.DecoderSignature"/>).</summary>
    public string PreprocessingSignature =>
        $"resize={Resize};resizeTo={ResizeTo};input={InputSize};pre={PreprocessInputNode}->{PreprocessOutputNode};feature={FeatureNode};" +
        $"mean={Join(Mean)};std={Join(Std)};scale={PixelScale.ToString("R", System.Globalization.CultureInfo.InvariantCulture)};bgr={Bgr};int8={Int8?.Signature ?? "none"}";

    private static string Join(float[]? values) =>
        values is null ? "none" : string.Join(",", values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
}
