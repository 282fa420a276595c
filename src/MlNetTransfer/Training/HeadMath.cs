using System.Numerics.Tensors;

namespace MlNetTransfer.Training;

/// <summary>Batched dense-layer math on row-major matrices, vectorised with TensorPrimitives.</summary>
internal static class HeadMath
{
    /// <summary>output[b, o] = bias[o] + input[b, :] · W[o, :] for b &lt; rows.</summary>
    public static void Forward(DenseLayer layer, ReadOnlySpan<float> input, int rows, Span<float> output)
    {
        int n = layer.Inputs, m = layer.Outputs;
        var w = layer.Weights.AsSpan();
        for (int b = 0; b < rows; b++)
        {
            var x = input.Slice(b * n, n);
            var y = output.Slice(b * m, m);
            for (int o = 0; o < m; o++)
                y[o] = layer.Bias[o] + TensorPrimitives.Dot(x, w.Slice(o * n, n));
        }
    }

    /// <summary>Adds dL/dW = gradOut^T · input and dL/db = Σ gradOut to the gradient buffers.</summary>
    public static void AccumulateGradients(DenseLayer layer, ReadOnlySpan<float> input, ReadOnlySpan<float> gradOut, int rows, Span<float> gradW, Span<float> gradB)
    {
        int n = layer.Inputs, m = layer.Outputs;
        for (int b = 0; b < rows; b++)
        {
            var x = input.Slice(b * n, n);
            var g = gradOut.Slice(b * m, m);
            TensorPrimitives.Add(gradB, g, gradB);
            for (int o = 0; o < m; o++)
            {
                float go = g[o];
                if (go == 0) continue; // ReLU and dropout zero many rows of the hidden gradient
                var row = gradW.Slice(o * n, n);
                TensorPrimitives.MultiplyAdd(x, go, row, row);
            }
        }
    }

    /// <summary>gradIn[b, :] = Σ_o gradOut[b, o] W[o, :].</summary>
    public static void BackwardInput(DenseLayer layer, ReadOnlySpan<float> gradOut, int rows, Span<float> gradIn)
    {
        int n = layer.Inputs, m = layer.Outputs;
        var w = layer.Weights.AsSpan();
        gradIn[..(rows * n)].Clear();
        for (int b = 0; b < rows; b++)
        {
            var gi = gradIn.Slice(b * n, n);
            var g = gradOut.Slice(b * m, m);
            for (int o = 0; o < m; o++)
                if (g[o] != 0)
                    TensorPrimitives.MultiplyAdd(w.Slice(o * n, n), g[o], gi, gi);
        }
    }

    /// <summary>In place log-softmax of each row; returns nothing, rows of <paramref name="logits"/> become log-probabilities.</summary>
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

    public static int ArgMax(ReadOnlySpan<float> row) => TensorPrimitives.IndexOfMax(row);
}
