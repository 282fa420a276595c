using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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

    /// <summary>One update of every tensor (<paramref name="parameters"/>[i] with gradient <paramref name="gradients"/>[i]) at learning rate <paramref name="rate"/>.</summary>
    public void Step(IReadOnlyList<float[]> parameters, IReadOnlyList<float[]> gradients, float rate)
    {
        _steps++;
        for (int i = 0; i < parameters.Count; i++)
        {
            if (_options.WeightDecay > 0)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(parameters[i], _options.WeightDecay, gradients[i], gradients[i]);
            if (_options.Optimizer == OptimizerKind.Adam)
                Adam(parameters[i], gradients[i], _first[i], _second[i], rate);
            else
                Sgd(parameters[i], gradients[i], _first[i], _options.Momentum, rate);
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
            m[k] = beta1 * m[k] + (1 - beta1) * g[k];
            v[k] = beta2 * v[k] + (1 - beta2) * g[k] * g[k];
            p[k] -= stepSize * m[k] / (MathF.Sqrt(v[k]) / root2 + epsilon);
        }
    }

    // One pass per tensor (velocity, gradient and parameters are each read once): the update is memory-bound.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sgd(Span<float> parameters, ReadOnlySpan<float> gradient, Span<float> velocity, float momentum, float rate)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var m = Vector512.Create(momentum);
            var r = Vector512.Create(rate);
            for (; i + 16 <= parameters.Length; i += 16)
            {
                var v = Vector512.Create(velocity.Slice(i, 16)) * m + Vector512.Create(gradient.Slice(i, 16));
                v.CopyTo(velocity.Slice(i, 16));
                (Vector512.Create(parameters.Slice(i, 16)) - v * r).CopyTo(parameters.Slice(i, 16));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(momentum);
            var r = Vector256.Create(rate);
            for (; i + 8 <= parameters.Length; i += 8)
            {
                var v = Vector256.Create(velocity.Slice(i, 8)) * m + Vector256.Create(gradient.Slice(i, 8));
                v.CopyTo(velocity.Slice(i, 8));
                (Vector256.Create(parameters.Slice(i, 8)) - v * r).CopyTo(parameters.Slice(i, 8));
            }
        }
        for (; i < parameters.Length; i++)
        {
            velocity[i] = velocity[i] * momentum + gradient[i];
            parameters[i] -= velocity[i] * rate;
        }
    }
}
