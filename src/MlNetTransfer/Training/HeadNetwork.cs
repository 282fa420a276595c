using System.Numerics.Tensors;

namespace MlNetTransfer.Training;

/// <summary>
/// Forward and backward passes of the head over a mini-batch: dense layers with ReLU and dropout between them,
/// log-softmax and NLL loss at the end. Holds the activation buffers so a training run allocates once.
/// </summary>
internal sealed class HeadNetwork
{
    private readonly HeadWeights _weights;
    private readonly float _dropout;
    private readonly float[][] _activations; // input of layer i (after ReLU and dropout for i > 0)
    private readonly float[][] _keep;        // dropout mask (already scaled) applied to activation i
    private readonly float[][] _grads;       // gradient w.r.t. output of layer i
    private readonly float[] _logProbs;

    public HeadNetwork(HeadWeights weights, float dropout, int maxRows)
    {
        _weights = weights;
        _dropout = dropout;
        var layers = weights.Layers;
        _activations = layers.Select(l => new float[maxRows * l.Inputs]).ToArray();
        _keep = layers.Select(l => new float[maxRows * l.Inputs]).ToArray();
        _grads = layers.Select(l => new float[maxRows * l.Outputs]).ToArray();
        _logProbs = _grads[^1];
        GradW = layers.Select(l => new float[l.Weights.Length]).ToArray();
        GradB = layers.Select(l => new float[l.Bias.Length]).ToArray();
    }

    public float[][] GradW { get; }
    public float[][] GradB { get; }

    /// <summary>
    /// Forward pass on <paramref name="rows"/> standardised samples. Training mode applies dropout.
    /// Returns the log-probabilities, [rows, classes].
    /// </summary>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> input, int rows, bool training, Random? random)
    {
        var layers = _weights.Layers;
        input[..(rows * layers[0].Inputs)].CopyTo(_activations[0]);
        for (int i = 0; i < layers.Count; i++)
        {
            var output = i + 1 < layers.Count ? _activations[i + 1] : _logProbs;
            HeadMath.Forward(layers[i], _activations[i], rows, output);
            if (i + 1 < layers.Count)
            {
                var a = output.AsSpan(0, rows * layers[i].Outputs);
                TensorPrimitives.Max(a, 0f, a); // ReLU
                if (training && _dropout > 0)
                {
                    var keep = _keep[i + 1].AsSpan(0, a.Length);
                    float scale = 1f / (1f - _dropout);
                    for (int k = 0; k < keep.Length; k++)
                        keep[k] = random!.NextSingle() >= _dropout ? scale : 0f;
                    TensorPrimitives.Multiply(a, keep, a);
                }
            }
        }
        HeadMath.LogSoftmaxRows(_logProbs, rows, _weights.ClassCount);
        return _logProbs.AsSpan(0, rows * _weights.ClassCount);
    }

    /// <summary>Backward pass of the mean NLL loss after a training <see cref="Forward"/>; fills <see cref="GradW"/> and <see cref="GradB"/>.</summary>
    public void Backward(ReadOnlySpan<int> labels, int rows, bool dropoutWasApplied)
    {
        var layers = _weights.Layers;
        int classes = _weights.ClassCount;
        foreach (var g in GradW) Array.Clear(g);
        foreach (var g in GradB) Array.Clear(g);

        // d(mean NLL)/d(logits) = (softmax - onehot) / rows
        var grad = _grads[^1].AsSpan(0, rows * classes);
        for (int b = 0; b < rows; b++)
        {
            var row = grad.Slice(b * classes, classes);
            TensorPrimitives.Exp(row, row);
            row[labels[b]] -= 1f;
            TensorPrimitives.Multiply(row, 1f / rows, row);
        }
        for (int i = layers.Count - 1; i >= 0; i--)
        {
            HeadMath.AccumulateGradients(layers[i], _activations[i], _grads[i], rows, GradW[i], GradB[i]);
            if (i == 0) break;
            var gradIn = _grads[i - 1].AsSpan(0, rows * layers[i].Inputs);
            HeadMath.BackwardInput(layers[i], _grads[i], rows, gradIn);
            var a = _activations[i].AsSpan(0, gradIn.Length);
            for (int k = 0; k < gradIn.Length; k++)
                if (a[k] <= 0) gradIn[k] = 0; // ReLU (a dropped unit is 0 too, and its mask would zero it anyway)
            if (dropoutWasApplied && _dropout > 0)
                TensorPrimitives.Multiply(gradIn, _keep[i].AsSpan(0, gradIn.Length), gradIn);
        }
    }
}
