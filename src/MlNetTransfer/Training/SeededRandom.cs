using System.Runtime.CompilerServices;
namespace MlNetTransfer.Training;

/// <summary>
/// A small, fast, seeded generator (xoshiro128**, seeded by SplitMix64) with a fixed algorithm: the same seed gives
/// the same sequence on every .NET version, unlike <see cref="Random"/>'s seeded mode, and a dropout mask costs a few
/// nanoseconds per unit.
/// </summary>
internal sealed class SeededRandom
{
    private uint _s0, _s1, _s2, _s3;

    public SeededRandom(int seed)
    {
        ulong x = (ulong)(uint)seed + 0x9E3779B97F4A7C15UL;
        ulong Next()
        {
            ulong z = x += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
        ulong a = Next(), b = Next();
        (_s0, _s1, _s2, _s3) = ((uint)a, (uint)(a >> 32), (uint)b, (uint)(b >> 32) | 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint NextUInt()
    {
        uint result = BitRotate(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitRotate(_s3, 11);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public float NextFloat() => (NextUInt() >> 8) * (1f / (1 << 24));

    /// <summary>Uniform in [0, maxExclusive).</summary>
    public int NextInt(int maxExclusive) => (int)((ulong)NextUInt() * (ulong)maxExclusive >> 32);

    /// <summary>Fisher-Yates shuffle.</summary>
    public void Shuffle<T>(T[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>
    /// Each unit is kept (value <paramref name="scale"/>) with probability 1 - <paramref name="dropProbability"/>
    /// (to 1/65536), else 0. Two units per draw: the mask is a measurable part of a training step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void FillDropoutMask(Span<float> mask, float dropProbability, float scale)
    {
        int threshold = (int)Math.Round(dropProbability * 65536.0);
        int scaleBits = BitConverter.SingleToInt32Bits(scale);
        int k = 0;
        for (; k + 2 <= mask.Length; k += 2)
        {
            uint r = NextUInt();
            mask[k] = Keep((int)(r & 0xFFFF), threshold, scaleBits);
            mask[k + 1] = Keep((int)(r >> 16), threshold, scaleBits);
        }
        if (k < mask.Length)
            mask[k] = Keep((int)(NextUInt() & 0xFFFF), threshold, scaleBits);
    }

    // draw >= threshold ? scale : 0, without a branch: whether a unit is dropped is a coin toss the processor
    // cannot predict. draw - threshold is negative exactly when the unit is dropped; its sign, spread over all 32
    // bits, clears the scale's bits (0f is all zero bits).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Keep(int draw, int threshold, int scaleBits) =>
        BitConverter.Int32BitsToSingle(scaleBits & ~((draw - threshold) >> 31));

    private static uint BitRotate(uint x, int k) => (x << k) | (x >> (32 - k));
}
