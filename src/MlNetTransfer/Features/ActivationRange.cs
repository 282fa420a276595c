using System.Numerics.Tensors;

namespace MlNetTransfer.Features;

/// <summary>
/// The range of one activation with its most extreme values left out: the k = fraction × count smallest and k largest
/// of everything seen are left out, and the next ones are the bounds, found exactly by keeping only the k + 1 smallest
/// and k + 1 largest values (k is fixed from the expected count, so nothing needed is ever dropped).
/// </summary>
internal sealed class ActivationRange(long expectedValues, double outlierFraction)
{
    // The k values left out at each end, plus the one that becomes the bound.
    private readonly int _keep = (int)Math.Ceiling(expectedValues * outlierFraction) + 1;
    private readonly PriorityQueue<float, float> _largest = new(); // min-heap: the smallest of the kept largest on top
    private readonly PriorityQueue<float, float> _smallest = new(); // max-heap through negated priorities

    public void Add(ReadOnlySpan<float> values)
    {
        // Almost every value lies inside the kept extremes: whole blocks are passed over on their SIMD minimum and maximum.
        const int Block = 4096;
        for (int start = 0; start < values.Length; start += Block)
        {
            var block = values.Slice(start, Math.Min(Block, values.Length - start));
            bool full = _largest.Count == _keep && _smallest.Count == _keep;
            if (full && TensorPrimitives.Max(block) <= _largest.Peek() && TensorPrimitives.Min(block) >= _smallest.Peek()) continue;
            foreach (float v in block)
            {
                if (_largest.Count < _keep) _largest.Enqueue(v, v);
                else if (v > _largest.Peek()) _largest.EnqueueDequeue(v, v);
                if (_smallest.Count < _keep) _smallest.Enqueue(v, -v);
                else if (v < _smallest.Peek()) _smallest.EnqueueDequeue(v, -v);
            }
        }
    }

    /// <summary>[low, high], widened to include 0 (a uint8 range must represent zero exactly).</summary>
    public float[] Range => [Math.Min(0, _smallest.Peek()), Math.Max(0, _largest.Peek())];
}
