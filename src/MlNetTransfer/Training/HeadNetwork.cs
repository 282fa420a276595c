using System.Runtime.CompilerServices;
using System.Numerics;
using System.Numerics.Tensors;

namespace MlNetTransfer.Training;

/// <summary>
/// Forward and backward passes of the head over a mini-batch: dense layers with ReLU and dropout between them,
/// log-softmax and NLL loss at the end. Trains on its own transposed copy of the weights
/// (<see cref="Working"/>); <see cref="CopyWeightsBack"/> writes them into the <see cref="HeadWeights"/> it was made from.
/// </summary>
internal sealed class HeadNetwork
{
    private readonly HeadWeights _weights;
    private readonly float _dropout;
    private readonly float[][] _activations; // input of layer i (after ReLU and dropout for i > 0)
    private readonly float[][] _keep;        // dropout mask (already scaled) applied to activation i
    private readonly float[][] _grads;       // gradient w.r.t. output of layer i
    private readonly float[] _logProbs;

    private readonly int _threads;

    /// <param name="threads">Most threads a matrix product may use; 0 leaves it to the machine (<see cref="Gemm.DefaultThreads"/>). Results do not depend on it.</param>
    public HeadNetwork(HeadWeights weights, float dropout, int maxRows, int threads = 0)
    {
        _threads = threads > 0 ? threads : Gemm.DefaultThreads;
        MaxRows = maxRows;
        _weights = weights;
        _dropout = dropout;
        var layers = weights.Layers;
        _activations = layers.Select(l => new float[maxRows * l.Inputs]).ToArray();
        _keep = layers.Select(l => new float[maxRows * l.Inputs]).ToArray();
        _grads = layers.Select(l => new float[maxRows * l.Outputs]).ToArray();
        _logProbs = _grads[^1];
        Working = layers.Select(l =>
        {
            var t = new float[l.Weights.Length];
            if (HeadMath.UsesTransposedLayout(l.Outputs)) HeadMath.Transpose(l.Weights, l.Outputs, l.Inputs, t);
            else l.Weights.CopyTo(t, 0);
            return t;
        }).ToArray();
        GradW = layers.Select(l => new float[l.Weights.Length]).ToArray();
        GradB = layers.Select(l => new float[l.Bias.Length]).ToArray();
    }

    /// <summary>Most rows one <see cref="Forward"/> takes.</summary>
    public int MaxRows { get; }

    /// <summary>Layer weights as trained here: [Inputs × Outputs] for wide layers, [Outputs × Inputs] for narrow ones (see <see cref="HeadMath"/>).</summary>
    public float[][] Working { get; }

    /// <summary>Gradients of <see cref="Working"/> (same layout).</summary>
    public float[][] GradW { get; }
    public float[][] GradB { get; }

    /// <summary>Writes <see cref="Working"/> back into the layers' [Outputs × Inputs] weights.</summary>
    public void CopyWeightsBack()
    {
        for (int i = 0; i < _weights.Layers.Count; i++)
        {
            var l = _weights.Layers[i];
            if (HeadMath.UsesTransposedLayout(l.Outputs)) HeadMath.Transpose(Working[i], l.Inputs, l.Outputs, l.Weights);
            else Working[i].CopyTo(l.Weights, 0);
        }
    }

    /// <summary>
    /// Forward pass on <paramref name="rows"/> scaled samples (see <see cref="HeadWeights.FeatureScale"/>). Training mode applies dropout.
    /// Returns the log-probabilities, [rows, classes].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> input, int rows, bool training, SeededRandom? random)
    {
        var layers = _weights.Layers;
        input[..(rows * layers[0].Inputs)].CopyTo(_activations[0]);
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            var output = i + 1 < layers.Count ? _activations[i + 1] : _logProbs;
            var x = _activations[i].AsSpan(0, rows * l.Inputs);
            if (HeadMath.UsesTransposedLayout(l.Outputs)) HeadMath.Forward(Working[i], l.Bias, l.Inputs, l.Outputs, x, rows, output, _threads);
            else HeadMath.ForwardNarrow(Working[i], l.Bias, l.Inputs, l.Outputs, x, rows, output);
            if (i + 1 < layers.Count)
            {
                var a = output.AsSpan(0, rows * l.Outputs);
                TensorPrimitives.Max(a, 0f, a); // ReLU
                if (training && _dropout > 0)
                {
                    var keep = _keep[i + 1].AsSpan(0, a.Length);
                    float scale = 1f / (1f - _dropout);
                    random!.FillDropoutMask(keep, _dropout, scale);
                    TensorPrimitives.Multiply(a, keep, a);
                }
            }
        }
        HeadMath.LogSoftmaxRows(_logProbs, rows, _weights.ClassCount);
        return _logProbs.AsSpan(0, rows * _weights.ClassCount);
    }

    /// <summary>Backward pass of the mean NLL loss after a training <see cref="Forward"/>; fills <see cref="GradW"/> and <see cref="GradB"/>.</summary>
    /// <param name="sampleWeights">Per-row loss weights (class balancing); null weighs rows equally.</param>
    /// <param name="labelSmoothing">Share of the target spread evenly over the classes.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(ReadOnlySpan<int> labels, int rows, bool dropoutWasApplied, ReadOnlySpan<float> sampleWeights = default, float labelSmoothing = 0f)
    {
        var layers = _weights.Layers;
        int classes = _weights.ClassCount;
        float totalWeight = 0;
        for (int b = 0; b < rows; b++) totalWeight += sampleWeights.IsEmpty ? 1f : sampleWeights[b];

        // d(weighted mean cross-entropy)/d(logits) = w_b (softmax - target) / Σw, target = (1-ε) onehot + ε/C
        var grad = _grads[^1].AsSpan(0, rows * classes);
        for (int b = 0; b < rows; b++)
        {
            var row = grad.Slice(b * classes, classes);
            TensorPrimitives.Exp(row, row);
            // Probabilities under 1e-30 become 0: the subnormal floats they would turn into downstream slow every
            // multiply-add that touches them by two orders of magnitude on x64.
            for (int k = 0; k < classes; k++)
                if (row[k] < 1e-30f) row[k] = 0f;
            if (labelSmoothing > 0) TensorPrimitives.Subtract(row, labelSmoothing / classes, row);
            row[labels[b]] -= 1f - labelSmoothing;
            TensorPrimitives.Multiply(row, (sampleWeights.IsEmpty ? 1f : sampleWeights[b]) / totalWeight, row);
        }
        for (int i = layers.Count - 1; i >= 0; i--)
        {
            var l = layers[i];
            bool wide = HeadMath.UsesTransposedLayout(l.Outputs);
            var x = _activations[i].AsSpan(0, rows * l.Inputs);
            var g = _grads[i].AsSpan(0, rows * l.Outputs);
            if (wide) HeadMath.Gradients(l.Inputs, l.Outputs, x, g, rows, GradW[i], GradB[i], _threads);
            else HeadMath.GradientsNarrow(l.Inputs, l.Outputs, x, g, rows, GradW[i], GradB[i]);
            if (i == 0) break;
            var gradIn = _grads[i - 1].AsSpan(0, rows * l.Inputs);
            if (wide) HeadMath.BackwardInput(Working[i], l.Inputs, l.Outputs, g, rows, gradIn);
            else HeadMath.BackwardInputNarrow(Working[i], l.Inputs, l.Outputs, g, rows, gradIn);
            ThroughReluAndDropout(gradIn, _activations[i].AsSpan(0, gradIn.Length),
                dropoutWasApplied && _dropout > 0 ? _keep[i].AsSpan(0, gradIn.Length) : default);
        }
    }

    // gradient = activation > 0 ? gradient × keep : 0 (ReLU; a dropped unit's activation is 0 too), branch-free:
    // whether a unit is active is a coin toss, and a mispredicted branch per unit cost more than the arithmetic.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ThroughReluAndDropout(Span<float> gradient, ReadOnlySpan<float> activation, ReadOnlySpan<float> keep)
    {
        int k = 0, width = Vector<float>.Count;
        for (; k + width <= gradient.Length; k += width)
        {
            var g = new Vector<float>(gradient.Slice(k, width));
            if (!keep.IsEmpty) g *= new Vector<float>(keep.Slice(k, width));
            Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(activation.Slice(k, width)), Vector<float>.Zero), g, Vector<float>.Zero)
                .CopyTo(gradient.Slice(k, width));
        }
        for (; k < gradient.Length; k++)
            gradient[k] = activation[k] > 0 ? (keep.IsEmpty ? gradient[k] : gradient[k] * keep[k]) : 0f;
    }
}
