using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlNetTransfer.Training;

/// <summary>
/// Row-major matrix products for the head, vectorised along the output columns with 8- and 4-row register blocks
/// of 32 columns (AVX-512) or 4-row blocks of 16 columns (AVX2 + FMA), whichever the processor has. Work is split across threads by output column only, so every
/// output element is summed in the same order whatever the thread count: results do not depend on the machine's cores.
/// A product can hand each finished block straight to an SGD update instead of storing it (<see cref="MultiplyIntoSgd"/>):
/// the gradient of the big layer then never travels to memory and back, which was a third of a training step.
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
        fixed (float* pa = a, pb = b, pc = c)
            Run(new Job(pa, transposeA, pb, pc, m, k, n, null, null, default), m, k, n, maxThreads);
    }

    /// <summary>
    /// G = A·B as in <see cref="Multiply"/>, applied to <paramref name="parameters"/> [M×N] as <paramref name="update"/>
    /// says, block by block, without storing G. Same arithmetic as <see cref="Optimizer"/>'s separate update.
    /// </summary>
    public static void MultiplyIntoSgd(ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, Span<float> parameters, SgdUpdate update, int m, int k, int n, int maxThreads)
    {
        if (update.Velocity.Length < m * n) throw new ArgumentException("Velocity is smaller than the parameters.", nameof(update));
        fixed (float* pa = a, pb = b, pp = parameters, pv = update.Velocity)
            Run(new Job(pa, transposeA, pb, null, m, k, n, pp, pv, update), m, k, n, maxThreads);
    }

    private static void Run(Job job, int m, int k, int n, int maxThreads)
    {
        int blocks = (n + 31) / 32;
        int threads = (long)m * k * n >= ParallelThreshold ? Math.Min(maxThreads, blocks) : 1;
        if (threads <= 1)
            job.Columns(0, n);
        else
            Parallel.For(0, threads, t =>
            {
                int from = blocks * t / threads * 32, to = Math.Min(n, blocks * (t + 1) / threads * 32);
                job.Columns(from, to);
            });
    }

    /// <summary>Where finished blocks go: stored into <c>c</c>, or (when <c>parameters</c> is set) into an SGD step.</summary>
    private readonly struct Job(float* a, bool transposeA, float* b, float* c, int m, int k, int n, float* parameters, float* velocity, SgdUpdate update)
    {
        // A[row, i] = a[row * RowStride + i * ColStride]: row-major [M×K], or [K×M] when transposed.
        private long RowStride => transposeA ? 1 : k;
        private long ColStride => transposeA ? m : 1;
        private float A(int row, int i) => a[row * RowStride + i * ColStride];

        /// <summary>Output columns [from, to) of every row.</summary>
        public void Columns(int from, int to)
        {
            // When B's columns fit in L1 (a weight gradient: B is the batch's output gradient), sweep the output eight
            // rows at a time across all columns: each block's results then land next to the last block's, which the
            // SGD update (reading and writing weights and velocities) needs to stream from memory rather than stride.
            if ((long)k * (to - from) <= 8192)
                for (int row = 0; row < m; row += 8) Tile(row, Math.Min(m, row + 8), from, to);
            else
                Tile(0, m, from, to);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile(int rowFrom, int rowTo, int from, int to)
        {
            int col = from;
            if (Avx512F.IsSupported)
                for (; col + 32 <= to; col += 32)
                {
                    int row = rowFrom;
                    for (; row + 8 <= rowTo; row += 8) Block8x32(row, col);
                    for (; row + 4 <= rowTo; row += 4) Block4x32(row, col);
                    for (; row < rowTo; row++) { Block1x16(row, col); Block1x16(row, col + 16); }
                }
            if (Fma.IsSupported && Avx.IsSupported)
                for (; col + 16 <= to; col += 16)
                {
                    int row = rowFrom;
                    for (; row + 4 <= rowTo; row += 4) Block4x16(row, col);
                    for (; row < rowTo; row++) Block1x16(row, col);
                }
            for (; col < to; col++)
                for (int row = rowFrom; row < rowTo; row++)
                {
                    float sum = 0;
                    for (int i = 0; i < k; i++) sum += A(row, i) * b[(long)i * n + col];
                    Finish(row, col, sum);
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
            Finish(row, col, c00, c01);
            Finish(row + 1, col, c10, c11);
            Finish(row + 2, col, c20, c21);
            Finish(row + 3, col, c30, c31);
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
            Finish(row, col, c00, c01);
            Finish(row + 1, col, c10, c11);
            Finish(row + 2, col, c20, c21);
            Finish(row + 3, col, c30, c31);
        }

        // 8 rows × 32 columns: 16 accumulators, 10 loads per 16 multiply-adds (4 × 32 needs 6 per 8).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Block8x32(int row, int col)
        {
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default,
                             c20 = default, c21 = default, c30 = default, c31 = default,
                             c40 = default, c41 = default, c50 = default, c51 = default,
                             c60 = default, c61 = default, c70 = default, c71 = default;
            long rs = RowStride, cs = ColStride;
            float* p0 = a + row * rs;
            float* brow = b + col;
            for (int i = 0; i < k; i++, brow += n)
            {
                float* p = p0 + i * cs;
                var b0 = Avx512F.LoadVector512(brow);
                var b1 = Avx512F.LoadVector512(brow + 16);
                var a0 = Vector512.Create(p[0]);
                c00 = Avx512F.FusedMultiplyAdd(a0, b0, c00); c01 = Avx512F.FusedMultiplyAdd(a0, b1, c01);
                var a1 = Vector512.Create(p[rs]);
                c10 = Avx512F.FusedMultiplyAdd(a1, b0, c10); c11 = Avx512F.FusedMultiplyAdd(a1, b1, c11);
                var a2 = Vector512.Create(p[2 * rs]);
                c20 = Avx512F.FusedMultiplyAdd(a2, b0, c20); c21 = Avx512F.FusedMultiplyAdd(a2, b1, c21);
                var a3 = Vector512.Create(p[3 * rs]);
                c30 = Avx512F.FusedMultiplyAdd(a3, b0, c30); c31 = Avx512F.FusedMultiplyAdd(a3, b1, c31);
                var a4 = Vector512.Create(p[4 * rs]);
                c40 = Avx512F.FusedMultiplyAdd(a4, b0, c40); c41 = Avx512F.FusedMultiplyAdd(a4, b1, c41);
                var a5 = Vector512.Create(p[5 * rs]);
                c50 = Avx512F.FusedMultiplyAdd(a5, b0, c50); c51 = Avx512F.FusedMultiplyAdd(a5, b1, c51);
                var a6 = Vector512.Create(p[6 * rs]);
                c60 = Avx512F.FusedMultiplyAdd(a6, b0, c60); c61 = Avx512F.FusedMultiplyAdd(a6, b1, c61);
                var a7 = Vector512.Create(p[7 * rs]);
                c70 = Avx512F.FusedMultiplyAdd(a7, b0, c70); c71 = Avx512F.FusedMultiplyAdd(a7, b1, c71);
            }
            Finish(row, col, c00, c01);
            Finish(row + 1, col, c10, c11);
            Finish(row + 2, col, c20, c21);
            Finish(row + 3, col, c30, c31);
            Finish(row + 4, col, c40, c41);
            Finish(row + 5, col, c50, c51);
            Finish(row + 6, col, c60, c61);
            Finish(row + 7, col, c70, c71);
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
            Finish(row, col, c0, c1);
        }

        // The block's results: stored, or given the SGD step of SgdUpdate.Apply, written out here for whole registers
        // (handing each block to Apply through a buffer made training 60% slower, measured): the same operations in
        // the same order, so fused and separate updates agree bit for bit (test TheFusedSgdStepEqualsTheSeparateOne).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Finish(int row, int col, Vector512<float> v0, Vector512<float> v1)
        {
            long at = (long)row * n + col;
            if (parameters is null)
            {
                Vector512.Store(v0, c + at);
                Vector512.Store(v1, c + at + 16);
                return;
            }
            Sgd(at, v0);
            Sgd(at + 16, v1);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Finish(int row, int col, Vector256<float> v0, Vector256<float> v1)
        {
            long at = (long)row * n + col;
            if (parameters is null)
            {
                Vector256.Store(v0, c + at);
                Vector256.Store(v1, c + at + 8);
                return;
            }
            Sgd(at, v0);
            Sgd(at + 8, v1);
        }

        private void Finish(int row, int col, float gradient)
        {
            long at = (long)row * n + col;
            if (parameters is null) c[at] = gradient;
            else update.Apply(new Span<float>(parameters + at, 1), new Span<float>(velocity + at, 1), new ReadOnlySpan<float>(&gradient, 1));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Sgd(long at, Vector512<float> gradient)
        {
            var p = Vector512.Load(parameters + at);
            if (update.WeightDecay > 0) gradient = p * update.WeightDecay + gradient;
            var v = Vector512.Load(velocity + at) * update.Momentum + gradient;
            v = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(Vector512.Abs(v), Vector512.Create(SgdUpdate.Negligible)), v, Vector512<float>.Zero);
            Vector512.Store(v, velocity + at);
            Vector512.Store(p - v * update.Rate, parameters + at);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Sgd(long at, Vector256<float> gradient)
        {
            var p = Vector256.Load(parameters + at);
            if (update.WeightDecay > 0) gradient = p * update.WeightDecay + gradient;
            var v = Vector256.Load(velocity + at) * update.Momentum + gradient;
            v = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(Vector256.Abs(v), Vector256.Create(SgdUpdate.Negligible)), v, Vector256<float>.Zero);
            Vector256.Store(v, velocity + at);
            Vector256.Store(p - v * update.Rate, parameters + at);
        }
    }
}
