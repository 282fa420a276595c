using MlNetTransfer.Backbones;
using MlNetTransfer.Backbones.Int8;

namespace MlNetTransfer.Features;

/// <summary>The precision a run uses, and why: what was asked for, resolved for this backbone, device and processor.</summary>
public sealed record PrecisionChoice(Precision Precision, string Reason)
{
    /// <summary>
    /// Resolves <paramref name="requested"/>. <see cref="Precision.Auto"/> takes int8 only where its speed and accuracy
    /// were measured (docs/int8.md): the embedded backbone, on the CPU, with VNNI; anything else keeps fp32, with the
    /// reason. An explicit int8 the backbone or device cannot run is an error, not a silent fallback.
    /// </summary>
    /// <exception cref="MlNetTransferException">Int8 asked for a custom backbone or a GPU.</exception>
    internal static PrecisionChoice Resolve(Precision requested, BackboneDescription backbone, ComputeDevice device) => Resolve(requested, backbone, device, ProcessorSupport.HasVnni);

    internal static PrecisionChoice Resolve(Precision requested, BackboneDescription backbone, ComputeDevice device, bool hasVnni)
    {
        switch (requested)
        {
            case Precision.Fp32: return new(Precision.Fp32, "as set; fp32 is the default, int8 and auto are options");
            case Precision.Int8:
                Int8Backbones.EnsureSupported(backbone, device);
                return new(Precision.Int8, "as set");
        }
        if (!BackboneRegistry.Names.Contains(backbone.Name)) return new(Precision.Fp32, "auto: int8 is made for the embedded backbones only, not for a custom ONNX network");
        if (device != ComputeDevice.Cpu) return new(Precision.Fp32, "auto: the network runs on the GPU, where int8's integer kernels do not run");
        if (!hasVnni) return new(Precision.Fp32, "auto: this is not an x86 processor with VNNI, where int8 was measured fast and accurate");
        return new(Precision.Int8, "auto: embedded backbone on a processor with VNNI, where int8 runs about 3x the float network");
    }

    /// <summary>One word for the resolved precision (metrics.json, the CLI).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Name => Precision.ToString().ToLowerInvariant();
}
