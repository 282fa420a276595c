namespace MlNetTransfer.Backbones;

/// <summary>The arithmetic of the network.</summary>
public enum Precision
{
    /// <summary>32-bit float, the network as published.</summary>
    Fp32,
    /// <summary>8-bit integers (ONNX Runtime's QDQ kernels), calibrated on the training images.</summary>
    Int8,
}
