namespace MlNetTransfer.Features;

/// <summary>Where the network runs.</summary>
public enum ComputeDevice
{
    Cpu,
    /// <summary>ONNX Runtime's CUDA execution provider: needs the GPU build of ONNX Runtime (see docs/deploying.md), an NVIDIA driver, CUDA 13 and cuDNN 9.</summary>
    Cuda,
}

/// <summary>How features are extracted: batch size, threads, device, the pixel limit.</summary>
public sealed record ExtractorOptions
{
    /// <summary>Images per network call.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>
    /// Threads decoding and resizing images; 0 uses one per core. Measured on 2 cores: decoding is CPU work either
    /// way, and two decoders keep the queue full through the network's bursts (about 40 img/s against 37 with one).
    /// </summary>
    public int DecodeThreads { get; set; }

    /// <summary>
    /// ONNX Runtime intra-op threads; 0 uses every core. Measured on 16 cores (ants/bees photos, in turns): leaving
    /// 3 cores to the decoders made extraction slower (0.76–0.80 of the raw network against 0.87–0.88 with all 16),
    /// and on 2 cores one thread fewer costs the network about 40% of its speed (31 against 54 img/s).
    /// </summary>
    public int InferenceThreads { get; set; }

    /// <summary>Where the network runs.</summary>
    public ComputeDevice Device { get; set; } = ComputeDevice.Cpu;

    /// <summary>The device's setting as <see cref="MlNetTransferException.Setting"/> names it.</summary>
    internal const string DeviceSetting = nameof(TrainSettings.Extraction) + "." + nameof(Device);

    /// <summary>Images with more pixels than this are refused before decoding.</summary>
    public long MaxPixels { get; set; } = Data.ImageCheck.DefaultMaxPixels;

    internal int ResolvedDecodeThreads => DecodeThreads > 0 ? DecodeThreads : Math.Max(1, Environment.ProcessorCount);
    internal int ResolvedInferenceThreads => InferenceThreads > 0 ? InferenceThreads : Environment.ProcessorCount;
}
