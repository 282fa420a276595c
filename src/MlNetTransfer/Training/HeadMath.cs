using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace MlNetTransfer.Training;

/// <summary>
/// Batched dense-layer math in two layouts. A wide layer (16 outputs or more) holds its weights transposed,
/// [Inputs × Outputs], so the forward product and the weight gradient run along contiguous output columns
/// (<see cref="Gemm"/>). A narrow layer (the class layer) keeps [Outputs × Inputs] and works with dot products
/// and row updates along its long input dimension.
/// </summary>
internal static class HeadMath
{
    public static bool UsesTransposedLayout(int outputs) => outputs >= 16;

    /// <summary>Forward pass of a narrow layer, weights [Outputs × Inputs].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardNarrow(float[] weights, float[] bias, int inputs, int outputs, ReadOnlySpan<float> input, int rows, Span<float> output)
    {
        var w = weights.AsSpan();
        for (int b = 0; b < rows; b++)
        {
            var x = input.Slice(b * inputs, inputs);
            for (int o = 0; o < outputs; o++)
                output[b * outputs + o] = bias[o] + TensorPrimitives.Dot(x, w.Slice(o * inputs, inputs));
        }
    }

    /// <summary>Weight and bias gradients of a narrow layer (overwritten).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GradientsNarrow(int inputs, int outputs, ReadOnlySpan<float> input, ReadOnlySpan<float> gradOut, int rows, Span<float> gradW, Span<float> gradB)
    {
        gradW.Clear();
        gradB.Clear();
        for (int b = 0; b < rows; b++)
        {
            var x = input.Slice(b * inputs, inputs);
            var g = gradOut.Slice(b * outputs, outputs);
            TensorPrimitives.Add(gradB, g, gradB);
            for (int o = 0; o < outputs; o++)
            {
                var row = gradW.Slice(o * inputs, inputs);
                TensorPrimitives.MultiplyAdd(x, g[o], row, row);
            }
        }
    }

    /// <summary>Input gradient of a narrow layer: gradIn[b, :] = Σ_o gradOut[b, o] W[o, :].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardInputNarrow(float[] weights, int inputs, int outputs, ReadOnlySpan<float> gradOut, int rows, Span<float> gradIn)
    {
        var w = weights.AsSpan();
        gradIn[..(rows * inputs)].Clear();
        for (int b = 0; b < rows; b++)
        {
            var gi = gradIn.Slice(b * inputs, inputs);
            for (int o = 0; o < outputs; o++)
                TensorPrimitives.MultiplyAdd(w.Slice(o * inputs, inputs), gradOut[b * outputs + o], gi, gi);
        }
    }

    /// <summary>output[b, :] = input[b, :] · Wt + bias, for b &lt; rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float[] weightsT, float[] bias, int inputs, int outputs, ReadOnlySpan<float> input, int rows, Span<float> output, int threads)
    {
        Gemm.Multiply(input, false, weightsT, output, rows, inputs, outputs, threads);
        for (int b = 0; b < rows; b++)
        {
            var y = output.Slice(b * outputs, outputs);
            TensorPrimitives.Add(y, bias, y);
        }
    }

    /// <summary>gradWt = inputᵀ · gradOut and gradB = Σ_b gradOut[b, :] (overwritten, not accumulated).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gradients(int inputs, int outputs, ReadOnlySpan<float> input, ReadOnlySpan<float> gradOut, int rows, Span<float> gradWt, Span<float> gradB, int threads)
    {
        Gemm.Multiply(input, true, gradOut, gradWt, inputs, rows, outputs, threads);
        gradB.Clear();
        for (int b = 0; b < rows; b++)
            TensorPrimitives.Add(gradB, gradOut.Slice(b * outputs, outputs), gradB);
    }

    /// <summary>gradIn[b, i] = gradOut[b, :] · Wt[i, :].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardInput(float[] weightsT, int inputs, int outputs, ReadOnlySpan<float> gradOut, int rows, Span<float> gradIn)
    {
        var w = weightsT.AsSpan();
        for (int b = 0; b < rows; b++)
        {
            var g = gradOut.Slice(b * outputs, outputs);
            var gi = gradIn.Slice(b * inputs, inputs);
            for (int i = 0; i < inputs; i++)
                gi[i] = TensorPrimitives.Dot(g, w.Slice(i * outputs, outputs));
        }
    }

    /// <summary>Transposes a row-major [rows × cols] matrix into [cols × rows].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(ReadOnlySpan<float> source, int rows, int cols, Span<float> destination)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                destination[c * rows + r] = source[r * cols + c];
    }

    /// <summary>In place log-softmax of each row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogSoftmaxRows(Span<float> logits, int rows, int classes)
    {
        for (int b = 0; b < rows; b++)
        {
            var z = logits.Slice(b * classes, classes);
            float max = TensorPrimitives.Max(z);
            double sum = 0;
            foreach (var v in z) sum += Math.Exp(v - max);
            float logSum = max + (float)Math.Log(sum);
            TensorPrimitives.Subtract(z, logSum, z);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int ArgMax(ReadOnlySpan<float> row) => TensorPrimitives.IndexOfMax(row);
}
