using System.Numerics;
using System.Numerics.Tensors;

namespace MlNetTransfer.Training;

/// <summary>
/// Updates the head's parameters from their gradients: SGD with momentum (PyTorch's rule: v = μv + g; p -= lr·v)
/// or Adam, with optional L2 weight decay (g += λp, as PyTorch's weight_decay). One state buffer set per tensor.
/// </summary>
internal sealed class Optimizer
{
    /// <summary>
    /// Velocities (and Adam's moments) smaller than this are set to 0. A weight whose gradient stays 0 (a hidden unit
    /// ReLU has switched off) has its velocity shrink by the momentum every step, down through the subnormal floats,
    /// and each arithmetic operation on a subnormal costs about a hundred times a normal one on x64: measured, a
    /// third of a training run went to them. A step of 1e-30 × the learning rate changes nothing anyway.
    /// </summary>
    public const float Negligible = 1e-30f;

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

    /// <summary>SGD velocity, or Adam's first moment, of tensor <paramref name="tensor"/>.</summary>
    public float[] Velocity(int tensor) => _first[tensor];

    /// <summary>One update of every tensor (<paramref name="parameters"/>[i] with gradient <paramref name="gradients"/>[i]) at learning rate <paramref name="rate"/>.</summary>
    public void Step(IReadOnlyList<float[]> parameters, IReadOnlyList<float[]> gradients, float rate)
    {
        _steps++;
        for (int i = 0; i < parameters.Count; i++)
        {
            if (_options.Optimizer == OptimizerKind.Sgd)
            {
                Sgd(parameters[i], _first[i], gradients[i], rate);
                continue;
            }
            if (_options.WeightDecay > 0)
                TensorPrimitives.MultiplyAdd(parameters[i], _options.WeightDecay, gradients[i], gradients[i]);
            Adam(parameters[i], gradients[i], _first[i], _second[i], rate);
        }
    }

    // Memory-bound: the machine's natural vector width is all it needs.
    private void Sgd(Span<float> parameters, Span<float> velocity, ReadOnlySpan<float> gradient, float rate)
    {
        float decay = _options.WeightDecay, momentum = _options.Momentum;
        int i = 0, width = Vector<float>.Count;
        for (; i + width <= parameters.Length; i += width)
        {
            var p = new Vector<float>(parameters.Slice(i, width));
            var g = new Vector<float>(gradient.Slice(i, width));
            if (decay > 0) g = p * decay + g;
            var v = new Vector<float>(velocity.Slice(i, width)) * momentum + g;
            v = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(Vector.Abs(v), new Vector<float>(Negligible)), v, Vector<float>.Zero);
            v.CopyTo(velocity.Slice(i, width));
            (p - v * rate).CopyTo(parameters.Slice(i, width));
        }
        for (; i < parameters.Length; i++)
        {
            float g = gradient[i];
            if (decay > 0) g = parameters[i] * decay + g;
            float v = velocity[i] * momentum + g;
            velocity[i] = MathF.Abs(v) >= Negligible ? v : 0f;
            parameters[i] -= velocity[i] * rate;
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
            // Negligible moments become 0 rather than decay through subnormal floats (see Negligible).
            m[k] = MathF.Abs(first) >= Negligible ? first : 0f;
            v[k] = second >= Negligible ? second : 0f;
            p[k] -= stepSize * m[k] / (MathF.Sqrt(v[k]) / root2 + epsilon);
        }
    }
}
