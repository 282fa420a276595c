namespace MlNetTransfer.Features;

/// <summary>
/// The range of one activation with its most extreme values left out: the values at the lower and upper
/// <see cref="Int8Calibrator.OutlierFraction"/> quantiles of everything seen, found exactly by keeping only the
/// <c>k</c> smallest and <c>k</c> largest values (k is fixed from the expected count, so nothing needed is ever dropped).
/// </summary>
internal sealed class ActivationRange(long expectedValues, double outlierFraction)
{
    private readonly int _keep = (int)Math.Max(1, Math.Ceiling(expectedValues * outlierFraction));
    private readonly PriorityQueue<float, float> _largest = new(); // min-heap: the smallest of the kept largest on top
    private readonly PriorityQueue<float, float> _smallest = new(); // max-heap through negated priorities

    public void Add(ReadOnlySpan<float> values)
    {
        // The thresholds are held in locals: almost every value is compared and passed over.
        float high = _largest.Count < _keep ? float.NegativeInfinity : _largest.Peek();
        float low = _smallest.Count < _keep ? float.PositiveInfinity : _smallest.Peek();
        foreach (float v in values)
        {
            if (v > high || _largest.Count < _keep)
            {
                if (_largest.Count < _keep) _largest.Enqueue(v, v); else _largest.EnqueueDequeue(v, v);
                if (_largest.Count == _keep) high = _largest.Peek();
            }
            if (v < low || _smallest.Count < _keep)
            {
                if (_smallest.Count < _keep) _smallest.Enqueue(v, -v); else _smallest.EnqueueDequeue(v, -v);
                if (_smallest.Count == _keep) low = _smallest.Peek();
            }
        }
    }

    /// <summary>[low, high], widened to include 0 (a uint8 range must represent zero exactly).</summary>
    public float[] Range => [Math.Min(0, _smallest.Peek()), Math.Max(0, _largest.Peek())];
}
