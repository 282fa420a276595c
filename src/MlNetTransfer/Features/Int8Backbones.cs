using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MlNetTransfer.Backbones;
using MlNetTransfer.Backbones.Int8;
using MlNetTransfer.Data;
using MlNetTransfer.IO;

namespace MlNetTransfer.Features;

/// <summary>The int8 form of a backbone, calibrated on a data set's own training images, built once and kept in the cache.</summary>
internal static class Int8Backbones
{
    /// <summary>Calibration images taken from the training images (a few hundred suffice; measured, README).</summary>
    public const int CalibrationImages = 128;

    /// <summary>
    /// <paramref name="backbone"/> quantized to int8 with ranges measured on up to <see cref="CalibrationImages"/> of
    /// <paramref name="training"/> (spread evenly over them, by path). The calibration is stored in <paramref name="cacheFolder"/>
    /// under a key of the chosen images' contents, so a later run on the same images builds nothing.
    /// </summary>
    public static BackboneDescription Quantize(BackboneDescription backbone, IReadOnlyList<LabelledImage> training, string? cacheFolder)
    {
        var ordered = training.OrderBy(i => i.Path, StringComparer.Ordinal).ToList();
        int step = Math.Max(1, ordered.Count / CalibrationImages);
        var chosen = ordered.Where((_, i) => i % step == 0).Take(CalibrationImages).Select(i => i.Bytes ?? File.ReadAllBytes(i.Path)).ToList();
        bool reducedRange = !ProcessorSupport.HasVnni;
        using var keys = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        keys.AppendData(Encoding.UTF8.GetBytes($"{backbone.PreprocessingSignature}|{Int8Calibrator.Method}|{reducedRange}|"));
        foreach (var image in chosen) keys.AppendData(SHA256.HashData(image));
        string file = $"int8-calibration-{Convert.ToHexStringLower(keys.GetHashAndReset())[..24]}.json";
        var json = CachedArtifact.GetOrBuild(cacheFolder, file, () =>
            JsonSerializer.SerializeToUtf8Bytes(Int8Calibrator.Calibrate(backbone, chosen, reducedRange), Json.Options));
        return backbone with { Int8 = JsonSerializer.Deserialize<Int8Calibration>(json, Json.Options) };
    }
}
