namespace MlNetTransfer.Training;

/// <summary>
/// Updates the head's parameters from their gradients: SGD with momentum (PyTorch's rule: v = μv + g; p -= lr·v)
/// or Adam, with optional L2 weight decay (g += λp, as PyTorch's weight_decay). One state buffer set per tensor.
/// </summary>
internal sealed class Optimizer
{
    private readonly TrainingOptions _options;
    private readonly float[][] _first;   // SGD velocity, or Adam's first moment
    private readonly float[][] _second;  // Adam's second moment (empty for SGD)
    private int _steps;

    /// <param name="tensors">The parameter tensors, in the order <see cref="Step"/> will see them.</param>
    public Optimizer(TrainingOptions options, IEnumerable<float[]> tensors)
    {
        _options = options;
        var list = tensors.ToList();
        _first = list.Select(t => new float[t.Length]).ToArray();
        _second = list.Select(t => options.Optimizer == OptimizerKind.Adam ? new float[t.Length] : []).ToArray();
    }

    /// <summary>
    /// Tensor <paramref name="tensor"/>'s SGD step at <paramref name="rate"/>, for the gradient product to apply as it
    /// goes (<see cref="Gemm.MultiplyIntoSgd"/>); null for Adam, whose update stays separate.
    /// </summary>
    public SgdUpdate? FusedSgd(int tensor, float rate) =>
        _options.Optimizer == OptimizerKind.Sgd ? new SgdUpdate(_first[tensor], _options.Momentum, rate, _options.WeightDecay) : null;

    /// <summary>
    /// One update of every tensor (<paramref name="parameters"/>[i] with gradient <paramref name="gradients"/>[i]) at
    /// learning rate <paramref name="rate"/>, except <paramref name="alreadyUpdated"/> (updated through <see cref="FusedSgd"/>).
    /// </summary>
    public void Step(IReadOnlyList<float[]> parameters, IReadOnlyList<float[]> gradients, float rate, int alreadyUpdated = -1)
    {
        _steps++;
        for (int i = 0; i < parameters.Count; i++)
        {
            if (i == alreadyUpdated) continue;
            if (_options.Optimizer == OptimizerKind.Sgd)
            {
                FusedSgd(i, rate)!.Value.Apply(parameters[i], _first[i], gradients[i]);
                continue;
            }
            if (_options.WeightDecay > 0)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(parameters[i], _options.WeightDecay, gradients[i], gradients[i]);
            Adam(parameters[i], gradients[i], _first[i], _second[i], rate);
        }
    }

    private void Adam(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float rate)
    {
        const float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
        float correction1 = 1f - MathF.Pow(beta1, _steps), correction2 = 1f - MathF.Pow(beta2, _steps);
        float stepSize = rate / correction1;
        float root2 = MathF.Sqrt(correction2);
        for (int k = 0; k < p.Length; k++)
        {
            float first = beta1 * m[k] + (1 - beta1) * g[k], second = beta2 * v[k] + (1 - beta2) * g[k] * g[k];
            // Negligible moments become 0 rather than decay through subnormal floats (see SgdUpdate.Negligible).
            m[k] = MathF.Abs(first) >= SgdUpdate.Negligible ? first : 0f;
            v[k] = second >= SgdUpdate.Negligible ? second : 0f;
            p[k] -= stepSize * m[k] / (MathF.Sqrt(v[k]) / root2 + epsilon);
        }
    }
}
