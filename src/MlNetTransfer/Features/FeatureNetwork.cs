using Microsoft.ML.OnnxRuntime;
using MlNetTransfer.Backbones;

namespace MlNetTransfer.Features;

/// <summary>
/// A graph from pixels [N, 3, side, side] to one output [N, size] (a backbone's features, or a saved model's logits) in
/// one ONNX Runtime session, run on whole batches.
/// </summary>
internal sealed class FeatureNetwork : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _output;

    /// <summary>The backbone's feature graph.</summary>
    /// <param name="cacheFolder">The backbone's cache folder, where an int8 graph is kept once built (<see cref="Int8Backbones.FeatureGraphOf"/>).</param>
    public FeatureNetwork(BackboneDescription backbone, int threads, ComputeDevice device = ComputeDevice.Cpu, string? cacheFolder = null)
        : this(Int8Backbones.FeatureGraphOf(backbone, cacheFolder), backbone.DecodedSize, FeatureGraph.FeaturesOutput, backbone.FeatureSize, threads, device)
    {
    }

    /// <summary>Any graph with the pixels input and an output <paramref name="output"/> of <paramref name="outputSize"/> values per image.</summary>
    public FeatureNetwork(byte[] graph, int side, string output, int outputSize, int threads, ComputeDevice device = ComputeDevice.Cpu)
    {
        Side = side;
        OutputSize = outputSize;
        _output = output;
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        // Spinning worker threads fight the decode threads for the cores; measured to halve throughput on 2 cores.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        if (device == ComputeDevice.Cuda) AddCuda(options);
        try
        {
            _session = new InferenceSession(graph, options);
        }
        catch (OnnxRuntimeException e)
        {
            // The graph comes from the user (a custom backbone's file, a model.zip): what ONNX Runtime refuses is theirs to fix.
            throw new MlNetTransferException($"ONNX Runtime cannot run the network: {e.Message.Split('\n')[0]}", e);
        }
    }

    // TF32 off: the saved model runs in full float on the CPU, and features made on the GPU should be those features
    // (TF32 rounds the products' inputs to 10-bit mantissas). Speed allows it: on an H100 the network alone ran at
    // 870–1,075 img/s in full float, above what the extraction around it delivered (570–700 img/s).
    private static void AddCuda(SessionOptions options)
    {
        try
        {
            using var cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(new Dictionary<string, string> { ["device_id"] = "0", ["use_tf32"] = "0" });
            options.AppendExecutionProvider_CUDA(cuda);
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            throw new MlNetTransferException(
                "The Cuda device: ONNX Runtime's CUDA execution provider is not available here (" + e.Message.Split('\n')[0] + "). " +
                "It needs a build with -p:OnnxRuntimeFlavor=Gpu (package Microsoft.ML.OnnxRuntime.Gpu.Linux), an NVIDIA driver, CUDA 13 and cuDNN 9 on the library path.",
                ExtractorOptions.DeviceSetting, e);
        }
    }

    public int Side { get; }
    public int OutputSize { get; }
    public int PixelLength => 3 * Side * Side;

    /// <summary>Runs <paramref name="count"/> images laid out back to back in <paramref name="pixels"/>; writes count × OutputSize floats.</summary>
    public void Run(float[] pixels, int count, Span<float> outputs)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
            pixels.AsMemory(0, count * PixelLength), [count, 3, Side, Side]);
        using var run = new RunOptions(); // one per call: Run may be called from several threads at once
        using var results = _session.Run(run, [FeatureGraph.PixelsInput], [input], [_output]);
        results[0].GetTensorDataAsSpan<float>()[..(count * OutputSize)].CopyTo(outputs);
    }

    /// <summary>One image through the graph, for the named outputs: each one's values and shape.</summary>
    public IReadOnlyList<(float[] Values, long[] Shape)> RunOne(float[] pixels, params string[] outputs)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pixels.AsMemory(0, PixelLength), [1, 3, Side, Side]);
        using var run = new RunOptions();
        using var results = _session.Run(run, [FeatureGraph.PixelsInput], [input], outputs);
        return [.. results.Select(r => (r.GetTensorDataAsSpan<float>().ToArray(), r.GetTensorTypeAndShape().Shape))];
    }

    public void Dispose()
    {
        _session.Dispose();
    }
}
