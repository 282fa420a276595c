using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MlNetTransfer.Backbones.Int8;

/// <summary>
/// What an int8 backbone is quantized with: the value range of each quantized activation (tensor name → min, max) and
/// the channel means of each convolution's input, measured by running the float network on calibration images (a few
/// hundred of the user's training images). With the weights quantized per channel from the network itself, this
/// decides the int8 graph entirely.
/// </summary>
internal sealed record Int8Calibration
{
    public required IReadOnlyDictionary<string, float[]> Ranges { get; init; }

    /// <summary>
    /// The mean of each convolution input's channels over the calibration images (tensor name → one value per
    /// channel), for bias correction: rounding a convolution's weights moves each output channel's mean by
    /// (quantized − float weights) · input mean, which its bias takes back (<see cref="Int8Graph"/>). Null in
    /// calibrations made before it (their graphs are made as they were).
    /// </summary>
    public IReadOnlyDictionary<string, float[]>? ChannelMeans { get; init; }

    /// <summary>How the ranges were taken from the activations ("minmax" or "percentile-99.999").</summary>
    public required string Method { get; init; }

    /// <summary>Calibration images used.</summary>
    public required int Images { get; init; }

    /// <summary>Weights in 7 bits instead of 8: for processors without VNNI, whose 8-bit products can saturate.</summary>
    public bool ReducedRange { get; init; }

    /// <summary>
    /// Null, or why this processor may not run the model as training did: 8-bit weights (quantized on a processor with
    /// VNNI) on an x86 processor without it, where ONNX Runtime's 8-bit products can saturate (wrong scores, no error).
    /// </summary>
    public string? ProcessorWarning() => ProcessorWarning(ProcessorSupport.NeedsReducedRange);

    internal string? ProcessorWarning(bool needsReducedRange) => ReducedRange || !needsReducedRange ? null
        : "this int8 model has 8-bit weights (it was calibrated on a processor with VNNI) and this processor has no VNNI, where ONNX Runtime's 8-bit products can saturate: its scores may differ from training's. Train it again on this kind of processor (7-bit weights) or use an fp32 model.";

    /// <summary>A hash of everything above: part of the feature cache key, so int8 features never mix with others.</summary>
    public string Signature
    {
        get
        {
            // A calibration without means builds the graph of scheme 1 (no bias correction), and keeps its features' key.
            var text = new StringBuilder($"scheme={(ChannelMeans is null ? Int8Graph.SchemeWithoutMeans : Int8Graph.Scheme)};{Method};{Images};{ReducedRange};");
            foreach (var (name, range) in Ranges.OrderBy(r => r.Key, StringComparer.Ordinal))
                text.Append(CultureInfo.InvariantCulture, $"{name}={range[0]:R},{range[1]:R};");
            foreach (var (name, means) in (ChannelMeans ?? new Dictionary<string, float[]>()).OrderBy(m => m.Key, StringComparer.Ordinal))
                text.Append(CultureInfo.InvariantCulture, $"mean {name}={string.Join(',', means.Select(m => m.ToString("R", CultureInfo.InvariantCulture)))};");
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
        }
    }
}
