namespace MlNetTransfer.Backbones;

/// <summary>The arithmetic of the network.</summary>
public enum Precision
{
    /// <summary>32-bit float, the network as published.</summary>
    Fp32,
    /// <summary>8-bit integers (ONNX Runtime's QDQ kernels), calibrated on the training images.</summary>
    Int8,
    /// <summary>
    /// Int8 where it was measured to pay (an embedded backbone, on the CPU, of an x86 processor with VNNI), fp32
    /// everywhere else: a custom ONNX backbone, <c>--device cuda</c>, processors without VNNI, ARM.
    /// </summary>
    Auto,
}
