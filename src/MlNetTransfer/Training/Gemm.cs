using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlNetTransfer.Training;

/// <summary>
/// Row-major matrix products for the head, vectorised along the output columns with 4-row register blocks of
/// 32 columns (AVX-512) or 16 columns (AVX2 + FMA), whichever the processor has. Work is split across threads by output column only, so every
/// output element is summed in the same order whatever the thread count: results do not depend on the machine's cores.
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>Below this many multiply-adds a product runs on the calling thread (thread hand-off costs more).</summary>
    private const long ParallelThreshold = 1 << 24;

    /// <summary>Most threads one product may use (tests set 1 to show results do not depend on it).</summary>
    public static int MaxThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// C[M×N] = (accumulate ? C : 0) + A·B with B [K×N]; A is [M×K], or [K×M] when <paramref name="transposeA"/>.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        if (!accumulate) c[..(m * n)].Clear();
        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = new Job(pa, transposeA, pb, pc, m, k, n);
            int blocks = (n + 31) / 32;
            int threads = (long)m * k * n >= ParallelThreshold ? Math.Min(MaxThreads, blocks) : 1;
            if (threads <= 1)
                job.Columns(0, n);
            else
                Parallel.For(0, threads, t =>
                {
                    int from = blocks * t / threads * 32, to = Math.Min(n, blocks * (t + 1) / threads * 32);
                    job.Columns(from, to);
                });
        }
    }

    private readonly struct Job(float* a, bool transposeA, float* b, float* c, int m, int k, int n)
    {
        // A[row, i] = a[row * RowStride + i * ColStride]: row-major [M×K], or [K×M] when transposed.
        private long RowStride => transposeA ? 1 : k;
        private long ColStride => transposeA ? m : 1;
        private float A(int row, int i) => a[row * RowStride + i * ColStride];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Columns(int from, int to)
        {
            int col = from;
            if (Avx512F.IsSupported)
                for (; col + 32 <= to; col += 32)
                {
                    int row = 0;
                    for (; row + 4 <= m; row += 4) Block4x32(row, col);
                    for (; row < m; row++) { Block1x16(row, col); Block1x16(row, col + 16); }
                }
            if (Fma.IsSupported && Avx.IsSupported)
                for (; col + 16 <= to; col += 16)
                {
                    int row = 0;
                    for (; row + 4 <= m; row += 4) Block4x16(row, col);
                    for (; row < m; row++) Block1x16(row, col);
                }
            for (; col < to; col++)
                for (int row = 0; row < m; row++)
                {
                    float sum = 0;
                    for (int i = 0; i < k; i++) sum += A(row, i) * b[(long)i * n + col];
                    c[(long)row * n + col] += sum;
                }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Block4x16(int row, int col)
        {
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default,
                             c20 = default, c21 = default, c30 = default, c31 = default;
            long rs = RowStride, cs = ColStride;
            float* p0 = a + row * rs, p1 = p0 + rs, p2 = p1 + rs, p3 = p2 + rs;
            float* brow = b + col;
            for (int i = 0; i < k; i++, brow += n)
            {
                long o = i * cs;
                var b0 = Avx.LoadVector256(brow);
                var b1 = Avx.LoadVector256(brow + 8);
                var a0 = Vector256.Create(p0[o]);
                var a1 = Vector256.Create(p1[o]);
                var a2 = Vector256.Create(p2[o]);
                var a3 = Vector256.Create(p3[o]);
                c00 = Fma.MultiplyAdd(a0, b0, c00); c01 = Fma.MultiplyAdd(a0, b1, c01);
                c10 = Fma.MultiplyAdd(a1, b0, c10); c11 = Fma.MultiplyAdd(a1, b1, c11);
                c20 = Fma.MultiplyAdd(a2, b0, c20); c21 = Fma.MultiplyAdd(a2, b1, c21);
                c30 = Fma.MultiplyAdd(a3, b0, c30); c31 = Fma.MultiplyAdd(a3, b1, c31);
            }
            Add(row, col, c00, c01);
            Add(row + 1, col, c10, c11);
            Add(row + 2, col, c20, c21);
            Add(row + 3, col, c30, c31);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Block4x32(int row, int col)
        {
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default,
                             c20 = default, c21 = default, c30 = default, c31 = default;
            long rs = RowStride, cs = ColStride;
            float* p0 = a + row * rs, p1 = p0 + rs, p2 = p1 + rs, p3 = p2 + rs;
            float* brow = b + col;
            for (int i = 0; i < k; i++, brow += n)
            {
                long o = i * cs;
                var b0 = Avx512F.LoadVector512(brow);
                var b1 = Avx512F.LoadVector512(brow + 16);
                var a0 = Vector512.Create(p0[o]);
                var a1 = Vector512.Create(p1[o]);
                var a2 = Vector512.Create(p2[o]);
                var a3 = Vector512.Create(p3[o]);
                c00 = Avx512F.FusedMultiplyAdd(a0, b0, c00); c01 = Avx512F.FusedMultiplyAdd(a0, b1, c01);
                c10 = Avx512F.FusedMultiplyAdd(a1, b0, c10); c11 = Avx512F.FusedMultiplyAdd(a1, b1, c11);
                c20 = Avx512F.FusedMultiplyAdd(a2, b0, c20); c21 = Avx512F.FusedMultiplyAdd(a2, b1, c21);
                c30 = Avx512F.FusedMultiplyAdd(a3, b0, c30); c31 = Avx512F.FusedMultiplyAdd(a3, b1, c31);
            }
            Add512(row, col, c00, c01);
            Add512(row + 1, col, c10, c11);
            Add512(row + 2, col, c20, c21);
            Add512(row + 3, col, c30, c31);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Add512(int row, int col, Vector512<float> v0, Vector512<float> v1)
        {
            float* p = c + (long)row * n + col;
            Avx512F.Store(p, Avx512F.Add(Avx512F.LoadVector512(p), v0));
            Avx512F.Store(p + 16, Avx512F.Add(Avx512F.LoadVector512(p + 16), v1));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Block1x16(int row, int col)
        {
            Vector256<float> c0 = default, c1 = default;
            long cs = ColStride;
            float* p0 = a + row * RowStride;
            for (int i = 0; i < k; i++)
            {
                float* brow = b + (long)i * n + col;
                var a0 = Vector256.Create(p0[i * cs]);
                c0 = Fma.MultiplyAdd(a0, Avx.LoadVector256(brow), c0);
                c1 = Fma.MultiplyAdd(a0, Avx.LoadVector256(brow + 8), c1);
            }
            Add(row, col, c0, c1);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Add(int row, int col, Vector256<float> v0, Vector256<float> v1)
        {
            float* p = c + (long)row * n + col;
            Avx.Store(p, Avx.Add(Avx.LoadVector256(p), v0));
            Avx.Store(p + 8, Avx.Add(Avx.LoadVector256(p + 8), v1));
        }
    }
}
