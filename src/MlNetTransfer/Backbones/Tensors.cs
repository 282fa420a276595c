using Google.Protobuf;
using Onnx;

namespace MlNetTransfer.Backbones;

/// <summary>Float tensors of an ONNX graph, read and written (raw data little-endian, or the float list).</summary>
internal static class Tensors
{
    public static float[] Floats(TensorProto t)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidDataException($"Tensor {t.Name} is not float.");
        return t.RawData.Length > 0
            ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray()
            : t.FloatData.ToArray();
    }

    public static TensorProto Float(string name, float[] values, IEnumerable<long> dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.AddRange(dims);
        return t;
    }
}
