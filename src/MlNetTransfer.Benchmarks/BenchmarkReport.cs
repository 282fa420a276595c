namespace MlNetTransfer.Benchmarks;

/// <summary>One measured path: images per second over each repeat, and their median.</summary>
public sealed record ThroughputResult(string Name, IReadOnlyList<double> ImagesPerSecond)
{
    public double Median => MedianOf(ImagesPerSecond);

    internal static double MedianOf(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>Single-image latency percentiles in milliseconds.</summary>
public sealed record LatencyResult(string Name, double P50, double P90, int Samples);

/// <summary>Features from the GPU against the same images' features from the CPU: largest absolute difference, and the largest feature for scale.</summary>
public sealed record DeviceAgreement(int Images, double MaxAbsDifference, double MaxAbsFeature);

/// <summary>What <see cref="ExtractionBenchmark"/> measured, side by side in one process.</summary>
public sealed class BenchmarkReport
{
    public required string Folder { get; init; }
    public required int Images { get; init; }
    /// <summary>Where (a), (b) and (c) ran the network.</summary>
    public Features.ComputeDevice Device { get; init; }
    /// <summary>(b)'s decoding threads and ONNX Runtime intra-op threads; (a) uses every core.</summary>
    public int DecodeThreads { get; init; }
    public int InferenceThreads { get; init; }
    /// <summary>GPU features against CPU features; null on the CPU.</summary>
    public DeviceAgreement? Agreement { get; init; }
    public required int BatchSize { get; init; }
    public required int Repeats { get; init; }
    public required int ProcessorCount { get; init; }
    /// <summary>(a) ONNX Runtime on the feature graph with pre-made tensors: the limit.</summary>
    public required ThroughputResult RawNetwork { get; init; }
    /// <summary>(b) The project's extraction, decoding included, cache off, network session loaded.</summary>
    public required ThroughputResult Extraction { get; init; }
    /// <summary>(b) on its first run, before anything in the process had loaded ONNX Runtime or a session (as in a fresh process), images per second.</summary>
    public required double FirstExtraction { get; init; }
    /// <summary>(c) ML.NET's LoadImages → ResizeImages → ExtractPixels → DnnFeaturizeImage(ResNet18).</summary>
    public required ThroughputResult MlNetCanonical { get; init; }
    /// <summary>(d) Head training with default settings on the extracted features, seconds (median).</summary>
    public required double HeadTrainingSeconds { get; init; }
    public required int HeadTrainingSamples { get; init; }
    public required int HeadTrainingEpochs { get; init; }
    /// <summary>(d') The yardstick: 10,000 × 512 synthetic features (2,500 more for validation), 30 epochs of the default head, seconds (median).</summary>
    public required double HeadTraining10kSeconds { get; init; }
    /// <summary>(e) One image through the saved model.zip's PredictionEngine, every round's times pooled.</summary>
    public required LatencyResult ZipPrediction { get; init; }
    /// <summary>(e) Decode plus ONNX Runtime at batch 1, every round's times pooled.</summary>
    public required LatencyResult RawBatchOnePlusDecode { get; init; }

    /// <summary>(f) Decoding, resizing and pixel extraction of one image on one thread, milliseconds, each round (in turn after (c)).</summary>
    public required IReadOnlyList<double> DecodeMillisecondsByRound { get; init; }

    /// <summary>Median of <see cref="DecodeMillisecondsByRound"/>.</summary>
    public double DecodeMillisecondsPerImage => ThroughputResult.MedianOf(DecodeMillisecondsByRound);

    /// <summary>Core-milliseconds the network spends per image at (a)'s median speed with every core: cores × 1000 / (a).</summary>
    public double NetworkCoreMillisecondsPerImage => CoreMilliseconds(RawNetwork.Median);

    private double CoreMilliseconds(double imagesPerSecond) => ProcessorCount * 1000.0 / imagesPerSecond;

    /// <summary>
    /// Per round, the b/a that decoding leaves when decoders and the network share the same cores and every decoding
    /// millisecond comes off the network: network / (network + decode) core-time per image, from that round's (a) and
    /// (f). An estimate, not a hard bound: decoders may also fill the network's idle moments. Empty on a GPU, where
    /// the network does not run on the decoders' cores.
    /// </summary>
    public IReadOnlyList<double> SharedCoresCeilingByRound => Device != Features.ComputeDevice.Cpu ? []
        : RawNetwork.ImagesPerSecond.Zip(DecodeMillisecondsByRound, (a, f) => CoreMilliseconds(a) / (CoreMilliseconds(a) + f)).ToList();

    /// <summary>Median of <see cref="SharedCoresCeilingByRound"/>; null on a GPU.</summary>
    public double? SharedCoresCeiling => SharedCoresCeilingByRound.Count == 0 ? null : ThroughputResult.MedianOf(SharedCoresCeilingByRound);

    /// <summary>b/a of each round (the paths take turns within a round).</summary>
    public required IReadOnlyList<double> ExtractionOverRawByRound { get; init; }
    /// <summary>b/c of each round.</summary>
    public required IReadOnlyList<double> ExtractionOverMlNetByRound { get; init; }

    /// <summary>Median of the per-round b/a.</summary>
    public double ExtractionOverRaw => ThroughputResult.MedianOf(ExtractionOverRawByRound);
    /// <summary>Median of the per-round b/c.</summary>
    public double ExtractionOverMlNet => ThroughputResult.MedianOf(ExtractionOverMlNetByRound);
    /// <summary>(e) zip p50 / raw p50 of each round (the two take turns, a block each per round).</summary>
    public required IReadOnlyList<double> ZipOverRawLatencyByRound { get; init; }

    /// <summary>Median of <see cref="ZipOverRawLatencyByRound"/>.</summary>
    public double ZipOverRawLatency => ThroughputResult.MedianOf(ZipOverRawLatencyByRound);

    /// <summary>(a) with the int8 network, in the same rounds.</summary>
    public required ThroughputResult RawNetworkInt8 { get; init; }
    /// <summary>(b) with the int8 network, in the same rounds.</summary>
    public required ThroughputResult ExtractionInt8 { get; init; }
    /// <summary>Raw int8 / raw fp32, each round.</summary>
    public required IReadOnlyList<double> Int8OverFp32ByRound { get; init; }
    /// <summary>int8 extraction / raw fp32 network, each round.</summary>
    public required IReadOnlyList<double> ExtractionInt8OverRawFp32ByRound { get; init; }
    public double Int8OverFp32 => ThroughputResult.MedianOf(Int8OverFp32ByRound);
    public double ExtractionInt8OverRawFp32 => ThroughputResult.MedianOf(ExtractionInt8OverRawFp32ByRound);
    /// <summary>Cosine similarity of int8 features to fp32 features, over the images.</summary>
    public required double Int8FeatureCosineMean { get; init; }
    public required double Int8FeatureCosineMin { get; init; }
}
