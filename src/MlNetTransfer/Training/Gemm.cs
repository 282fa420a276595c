using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlNetTransfer.Training;

/// <summary>
/// Row-major matrix products for the head: one kernel, vectorised along the output columns. Each block of the output
/// is 8 rows × 2 vectors: 16 independent sums keep the multiply-add units busy, and each row of B loaded serves eight
/// rows of A. Every output element is the same chain of fused multiply-adds over k in order, whichever block, edge,
/// thread or vector width computes it, so results depend on neither the thread count nor the processor's vectors.
/// Work is split across threads by output column.
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>Below this many multiply-adds a product runs on the calling thread (thread hand-off costs more).</summary>
    private const long ParallelThreshold = 1 << 24;

    /// <summary>
    /// The threads a product may use when its caller leaves it to the machine: one below 4 cores. On 2 cores, the
    /// pool threads of a split product spin afterwards and slowed head training down (10,000 × 512, 30 epochs:
    /// 3.5–3.8 s on one thread, 4.1–4.5 s with two, measured in turns).
    /// </summary>
    public static int DefaultThreads => Environment.ProcessorCount >= 4 ? Environment.ProcessorCount : 1;

    /// <summary>C[M×N] = A·B with B [K×N]; A is [M×K], or [K×M] when <paramref name="transposeA"/>; on at most <paramref name="maxThreads"/> threads.</summary>
    public static void Multiply(ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, int maxThreads)
    {
        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n) throw new ArgumentException("A matrix is smaller than its dimensions.");
        if (m == 0 || n == 0) return;
        // Vector<T> stays 256 bits wide on processors with 512-bit vectors; where those run at full rate (Zen 5), head
        // training took about 1.4 × as long with it (10,000 × 512, 30 epochs, measured in turns). Products narrower
        // than a block of 512-bit vectors (a class layer of 16 to 31 classes) take Vector<T>'s, not the scalar sums.
        if (Vector512.IsHardwareAccelerated && n >= Kernel<Wide>.Width) Run<Wide>(a, transposeA, b, c, m, k, n, maxThreads);
        else Run<Natural>(a, transposeA, b, c, m, k, n, maxThreads);
    }

    private static void Run<TVector>(ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, int maxThreads)
        where TVector : struct, IVector<TVector>
    {
        int width = Kernel<TVector>.Width, blocks = n / width;
        int threads = (long)m * k * n >= ParallelThreshold ? Math.Clamp(maxThreads, 1, Math.Max(1, blocks)) : 1;
        fixed (float* pa = a, pb = b, pc = c)
        {
            // A[row, i] = a[row * rowStride + i * colStride]
            var kernel = new Kernel<TVector>(pa, transposeA ? 1 : k, transposeA ? m : 1, pb, pc, m, k, n);
            if (threads == 1)
                kernel.Columns(0, n);
            else // whole blocks per thread, the last taking the remainder
                Parallel.For(0, threads, t => kernel.Columns(blocks * t / threads * width, t + 1 == threads ? n : blocks * (t + 1) / threads * width));
        }
    }

    private readonly struct Kernel<TVector>(float* a, long rowStride, long colStride, float* b, float* c, int m, int k, int n)
        where TVector : struct, IVector<TVector>
    {
        public static int Width => 2 * TVector.Count;

        /// <summary>Output columns [from, to) of every row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Columns(int from, int to)
        {
            if (to - from < Width)
            {
                Scalar(from, to);
                return;
            }
            for (int col = from; col < to; col += Width)
            {
                // The last block ends at the edge, overlapping the one before: those columns come out again, equal.
                int at = Math.Min(col, to - Width);
                for (int row = 0; row < m; row += 8) Block(row, at);
            }
        }

        // Past the last row, a block repeats it (computed and stored again, equal): no edge code.
        private float* A(int row) => a + Math.Min(row, m - 1) * rowStride;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Block(int row, int col)
        {
            float* a0 = A(row), a1 = A(row + 1), a2 = A(row + 2), a3 = A(row + 3), a4 = A(row + 4), a5 = A(row + 5), a6 = A(row + 6), a7 = A(row + 7);
            TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default,
                    c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
            float* bi = b + col;
            for (long i = 0; i < k; i++, bi += n)
            {
                long o = i * colStride;
                var b0 = TVector.Load(bi);
                var b1 = TVector.Load(bi + TVector.Count);
                var x = TVector.Broadcast(a0[o]);
                c00 = TVector.MultiplyAdd(x, b0, c00); c01 = TVector.MultiplyAdd(x, b1, c01);
                x = TVector.Broadcast(a1[o]);
                c10 = TVector.MultiplyAdd(x, b0, c10); c11 = TVector.MultiplyAdd(x, b1, c11);
                x = TVector.Broadcast(a2[o]);
                c20 = TVector.MultiplyAdd(x, b0, c20); c21 = TVector.MultiplyAdd(x, b1, c21);
                x = TVector.Broadcast(a3[o]);
                c30 = TVector.MultiplyAdd(x, b0, c30); c31 = TVector.MultiplyAdd(x, b1, c31);
                x = TVector.Broadcast(a4[o]);
                c40 = TVector.MultiplyAdd(x, b0, c40); c41 = TVector.MultiplyAdd(x, b1, c41);
                x = TVector.Broadcast(a5[o]);
                c50 = TVector.MultiplyAdd(x, b0, c50); c51 = TVector.MultiplyAdd(x, b1, c51);
                x = TVector.Broadcast(a6[o]);
                c60 = TVector.MultiplyAdd(x, b0, c60); c61 = TVector.MultiplyAdd(x, b1, c61);
                x = TVector.Broadcast(a7[o]);
                c70 = TVector.MultiplyAdd(x, b0, c70); c71 = TVector.MultiplyAdd(x, b1, c71);
            }
            Store(row, col, c00, c01); Store(row + 1, col, c10, c11); Store(row + 2, col, c20, c21); Store(row + 3, col, c30, c31);
            Store(row + 4, col, c40, c41); Store(row + 5, col, c50, c51); Store(row + 6, col, c60, c61); Store(row + 7, col, c70, c71);
        }

        private void Store(int row, int col, TVector v0, TVector v1)
        {
            float* at = c + (long)Math.Min(row, m - 1) * n + col;
            v0.Store(at);
            v1.Store(at + TVector.Count);
        }

        // Fewer columns than one block: the same sums, one at a time.
        private void Scalar(int from, int to)
        {
            for (int row = 0; row < m; row++)
                for (int col = from; col < to; col++)
                {
                    float sum = 0;
                    for (long i = 0; i < k; i++) sum = MathF.FusedMultiplyAdd(a[row * rowStride + i * colStride], b[i * n + col], sum);
                    c[(long)row * n + col] = sum;
                }
        }
    }

    /// <summary>The vector operations of the kernel, for it to be written once and compiled for either width.</summary>
    private interface IVector<TSelf> where TSelf : struct, IVector<TSelf>
    {
        static abstract int Count { get; }
        static abstract TSelf Load(float* source);
        static abstract TSelf Broadcast(float value);
        static abstract TSelf MultiplyAdd(TSelf left, TSelf right, TSelf addend);
        void Store(float* destination);
    }

    private readonly struct Wide(Vector512<float> v) : IVector<Wide>
    {
        private readonly Vector512<float> _v = v;
        public static int Count => Vector512<float>.Count;
        public static Wide Load(float* source) => new(Vector512.Load(source));
        public static Wide Broadcast(float value) => new(Vector512.Create(value));
        public static Wide MultiplyAdd(Wide left, Wide right, Wide addend) => new(Vector512.FusedMultiplyAdd(left._v, right._v, addend._v));
        public void Store(float* destination) => _v.Store(destination);
    }

    private readonly struct Natural(Vector<float> v) : IVector<Natural>
    {
        private readonly Vector<float> _v = v;
        public static int Count => Vector<float>.Count;
        public static Natural Load(float* source) => new(Vector.Load(source));
        public static Natural Broadcast(float value) => new(new Vector<float>(value));
        public static Natural MultiplyAdd(Natural left, Natural right, Natural addend) => new(Vector.FusedMultiplyAdd(left._v, right._v, addend._v));
        public void Store(float* destination) => _v.Store(destination);
    }
}
