using System.Numerics;
using System.Runtime.CompilerServices;

namespace MlNetTransfer.Training;

/// <summary>
/// One SGD-with-momentum step of a tensor (PyTorch's rule: g += λp; v = μv + g; p -= rate·v), the one definition
/// used by <see cref="Optimizer"/> over whole tensors and by <see cref="Gemm.MultiplyIntoSgd"/> block by block.
/// </summary>
internal readonly record struct SgdUpdate(float[] Velocity, float Momentum, float Rate, float WeightDecay)
{
    /// <summary>
    /// Velocities smaller than this are set to 0. A weight whose gradient stays 0 (a hidden unit ReLU has switched
    /// off) has its velocity shrink by the momentum every step, down through the subnormal floats, and each
    /// arithmetic operation on a subnormal costs about a hundred times a normal one on x64: measured, a third of a
    /// training run went to them. A step of 1e-30 × the learning rate changes nothing anyway.
    /// </summary>
    public const float Negligible = 1e-30f;

    /// <summary>Steps <paramref name="parameters"/> with <paramref name="velocity"/> (the matching part of <see cref="Velocity"/>) and <paramref name="gradient"/>.</summary>
    // Memory-bound: the machine's natural vector width is all it needs. Multiplies and adds stay separate (no FMA
    // contraction), so the result does not depend on the vector width.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply(Span<float> parameters, Span<float> velocity, ReadOnlySpan<float> gradient)
    {
        int i = 0, width = Vector<float>.Count;
        var momentum = new Vector<float>(Momentum);
        var rate = new Vector<float>(Rate);
        var decay = new Vector<float>(WeightDecay);
        var negligible = new Vector<float>(Negligible);
        for (; i + width <= parameters.Length; i += width)
        {
            var p = new Vector<float>(parameters.Slice(i, width));
            var g = new Vector<float>(gradient.Slice(i, width));
            if (WeightDecay > 0) g = p * decay + g;
            var v = new Vector<float>(velocity.Slice(i, width)) * momentum + g;
            v = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(Vector.Abs(v), negligible), v, Vector<float>.Zero);
            v.CopyTo(velocity.Slice(i, width));
            (p - v * rate).CopyTo(parameters.Slice(i, width));
        }
        for (; i < parameters.Length; i++)
        {
            float g = gradient[i];
            if (WeightDecay > 0) g = parameters[i] * WeightDecay + g;
            float v = velocity[i] * Momentum + g;
            velocity[i] = MathF.Abs(v) >= Negligible ? v : 0f;
            parameters[i] -= velocity[i] * Rate;
        }
    }
}
