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
    /// <paramref name="training"/> (spread evenly over them in path order, so every class takes part). The calibration is
    /// stored in <paramref name="cacheFolder"/> under a key of the chosen images' contents, so a later run on the same
    /// images builds nothing. An unreadable or unusable image is passed over here; extraction reports it.
    /// </summary>
    /// <exception cref="ArgumentException">The backbone is not an embedded one, or the network is to run on a GPU.</exception>
    /// <param name="calibrating">Called with the number of images before a calibration is made (not when it is read from the cache).</param>
    public static BackboneDescription Quantize(BackboneDescription backbone, IReadOnlyList<LabelledImage> training, string? cacheFolder,
        ComputeDevice device = ComputeDevice.Cpu, Action<int>? calibrating = null, CancellationToken cancel = default)
    {
        EnsureSupported(backbone, device);
        var chosen = new List<byte[]>();
        foreach (var image in Spread(training.OrderBy(i => i.Path, StringComparer.Ordinal).ToList(), CalibrationImages))
        {
            cancel.ThrowIfCancellationRequested();
            try { chosen.Add(image.Bytes ?? File.ReadAllBytes(image.Path)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        bool reducedRange = ProcessorSupport.NeedsReducedRange;
        using var keys = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        keys.AppendData(Encoding.UTF8.GetBytes($"{backbone.PreprocessingSignature}|{Int8Calibrator.Method}|{Int8Graph.Scheme}|{reducedRange}|"));
        foreach (var image in chosen) keys.AppendData(SHA256.HashData(image));
        string file = $"int8-calibration-{Convert.ToHexStringLower(keys.GetHashAndReset())[..24]}.json";
        var json = CachedArtifact.GetOrBuild(cacheFolder, file, () =>
        {
            calibrating?.Invoke(chosen.Count);
            return JsonSerializer.SerializeToUtf8Bytes(Int8Calibrator.Calibrate(backbone, chosen, reducedRange, cancel: cancel), Json.Options);
        });
        return backbone with { Int8 = JsonSerializer.Deserialize<Int8Calibration>(json, Json.Options) };
    }

    /// <summary>Up to <paramref name="count"/> of <paramref name="items"/>, evenly spaced from the first to near the last.</summary>
    internal static IEnumerable<T> Spread<T>(IReadOnlyList<T> items, int count) =>
        items.Count <= count ? items : Enumerable.Range(0, count).Select(j => items[(int)((long)j * items.Count / count)]);

    /// <summary>
    /// int8 is made for the embedded ResNet18, whose graph the quantizer knows (its activations, its opset-8 nodes), and
    /// runs on the CPU's integer kernels (a GPU would run the same graph in float between quantize steps, with other
    /// features under the same cache key).
    /// </summary>
    public static void EnsureSupported(BackboneDescription backbone, ComputeDevice device)
    {
        if (!BackboneRegistry.Names.Contains(backbone.Name))
            throw new ArgumentException($"--precision int8 is available for the embedded backbones ({string.Join(", ", BackboneRegistry.Names)}), not for {backbone.Name}: use fp32 with your own ONNX network.");
        if (device != ComputeDevice.Cpu)
            throw new ArgumentException("--precision int8 runs on the CPU's integer kernels: use it with --device cpu (or fp32 on the GPU).");
    }
}
