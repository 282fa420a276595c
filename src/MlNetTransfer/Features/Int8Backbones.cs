using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using MlNetTransfer.Backbones;
using MlNetTransfer.Backbones.Int8;
using MlNetTransfer.Data;
using MlNetTransfer.IO;

namespace MlNetTransfer.Features;

/// <summary>The int8 form of a backbone, calibrated on a data set's own training images, built once and kept in the cache.</summary>
internal static class Int8Backbones
{
    /// <summary>Calibration images taken from the training images (a few hundred suffice; measured, docs/int8.md).</summary>
    public const int CalibrationImages = 128;

    /// <summary>
    /// The int8 feature graph's file in the backbone's cache folder. The folder's key names the view and the calibration
    /// already; the name repeats them (a library user may key a cache folder as they like) with the library's build.
    /// </summary>
    internal static string GraphFileName(BackboneDescription backbone)
    {
        var build = typeof(FeatureGraph).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        var key = SHA256.HashData(Encoding.UTF8.GetBytes($"{backbone.Name}|{backbone.PreprocessingSignature}|{build}"));
        return $"int8-feature-graph-{PackageVersion.Of(typeof(FeatureGraph))}-{Convert.ToHexStringLower(key)[..16]}.onnx";
    }

    /// <summary>
    /// The feature graph of <paramref name="backbone"/>. An int8 one is built once per calibration and view and kept in
    /// <paramref name="cacheFolder"/> (the backbone's): building it parses the 64 MB float network, folds and quantizes,
    /// 0.2-0.3 s of a core at every network load; reading it back is 16 MB.
    /// </summary>
    public static byte[] FeatureGraphOf(BackboneDescription backbone, string? cacheFolder) =>
        backbone.Int8 is null ? FeatureGraph.Build(backbone) : CachedArtifact.GetOrBuild(cacheFolder, GraphFileName(backbone), () => FeatureGraph.Build(backbone));

    /// <summary>
    /// <paramref name="backbone"/> quantized to int8 with ranges and channel means measured on up to <see cref="CalibrationImages"/> of
    /// <paramref name="training"/> (spread evenly over them in path order, so every class takes part). The calibration is
    /// stored in the float backbone's cache folder under a key of the chosen images' contents, so a later run on the same
    /// images builds nothing (other images: a new calibration, so a run's figures never depend on the cache's history).
    /// When a calibration is made, the int8 graph of this
    /// view is made with it, from the float graph the calibration prepared, and kept in the int8 backbone's folder
    /// (<see cref="FeatureGraphOf"/>). An unreadable or unusable image is passed over here; extraction reports it.
    /// </summary>
    /// <param name="cacheFor">The feature cache of a backbone (null: nothing is kept).</param>
    /// <param name="calibrating">Called with the number of images before a calibration is made (not when it is read from the cache).</param>
    /// <exception cref="MlNetTransferException">The backbone is not an embedded one, or the network is to run on a GPU.</exception>
    public static BackboneDescription Quantize(BackboneDescription backbone, IReadOnlyList<LabelledImage> training, Func<BackboneDescription, FeatureCache?> cacheFor,
        ComputeDevice device = ComputeDevice.Cpu, Action<int>? calibrating = null, CancellationToken cancel = default, int calibrationImages = CalibrationImages)
    {
        EnsureSupported(backbone, device);
        var chosen = new List<(LabelledImage Image, byte[] Bytes, byte[] Hash)>();
        // Chosen in path order; read in read order (a data view's rows forward), kept in the chosen order.
        var spread = LabelledImage.Spread(training.OrderBy(i => i.Path, StringComparer.Ordinal).ToList(), calibrationImages).ToList();
        var read = new Dictionary<LabelledImage, byte[]>(ReferenceEqualityComparer.Instance);
        foreach (var image in spread.OrderBy(LabelledImage.ReadOrder))
        {
            cancel.ThrowIfCancellationRequested();
            try { read[image] = image.ReadBytes(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        foreach (var image in spread.Where(read.ContainsKey))
            chosen.Add((image, read[image], SHA256.HashData(read[image])));
        bool reducedRange = ProcessorSupport.NeedsReducedRange;
        string basis = CalibrationBasis(backbone, reducedRange);
        using var keys = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        keys.AppendData(Encoding.UTF8.GetBytes(basis));
        foreach (var image in chosen) keys.AppendData(image.Hash);
        string file = $"int8-calibration-{Convert.ToHexStringLower(keys.GetHashAndReset())[..24]}.json";
        string? calibrationFolder = cacheFor(backbone)?.BackboneFolder;

        Onnx.ModelProto? prepared = null;
        var json = CachedArtifact.GetOrBuild(calibrationFolder, file, () =>
        {
            calibrating?.Invoke(chosen.Count);
            // The float graph calibration prepares is the one the int8 graph is made from: kept (only where there is a
            // cache to store the result in) so that the graph is built without a second parse of the network.
            return JsonSerializer.SerializeToUtf8Bytes(Int8Calibrator.Calibrate(backbone, chosen.Select(c => c.Bytes).ToList(), reducedRange, cancel: cancel,
                prepared: calibrationFolder is null ? null : m => prepared = m), Json.Options);
        });
        var quantized = backbone with { Int8 = JsonSerializer.Deserialize<Int8Calibration>(json, Json.Options) };
        if (prepared is not null && cacheFor(quantized)?.BackboneFolder is { } graphFolder)
        {
            cancel.ThrowIfCancellationRequested();
            // A fresh calibration has a fresh folder: the file is built here, not read (GetOrBuild reads it only after a race).
            CachedArtifact.GetOrBuild(graphFolder, GraphFileName(quantized), () =>
            {
                Int8Graph.Quantize(prepared.Graph, quantized.Int8!);
                return prepared.ToByteArray();
            });
        }
        return quantized;
    }

    /// <summary>What a calibration depends on besides its images: two calibrations with the same basis are interchangeable.</summary>
    internal static string CalibrationBasis(BackboneDescription backbone, bool reducedRange) =>
        $"{backbone.PreprocessingSignature}|{Int8Calibrator.Method}|{Int8Graph.Scheme}|{reducedRange}|";


    /// <summary>
    /// int8 is made for the embedded ResNet18, whose graph the quantizer knows (its activations, its opset-8 nodes), and
    /// runs on the CPU's integer kernels (a GPU would run the same graph in float between quantize steps, with other
    /// features under the same cache key).
    /// </summary>
    /// <exception cref="MlNetTransferException">The backbone is not an embedded one, or the device is not the CPU.</exception>
    public static void EnsureSupported(BackboneDescription backbone, ComputeDevice device)
    {
        if (!BackboneRegistry.Names.Contains(backbone.Name))
            throw new MlNetTransferException($"Precision Int8 is available for the embedded backbones ({string.Join(", ", BackboneRegistry.Names)}), not for {backbone.Name}: use Fp32 with your own ONNX network.", nameof(TrainSettings.Precision));
        if (device != ComputeDevice.Cpu)
            throw new MlNetTransferException($"Precision Int8 runs on the CPU's integer kernels: use it with the Cpu device ({device} was asked), or Fp32 on the GPU.", ExtractorOptions.DeviceSetting);
    }
}
