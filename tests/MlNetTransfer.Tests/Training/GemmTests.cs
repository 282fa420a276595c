using MlNetTransfer.Training;

namespace MlNetTransfer.Tests.Training;

public class GemmTests
{
    // Sizes that leave partial row blocks, an overlapping last column block, and fewer columns than one block;
    // 300 × 200 × 300 is large enough to be split across threads.
    [Theory]
    [InlineData(1, 5, 16, false)]
    [InlineData(6, 37, 53, false)]
    [InlineData(13, 40, 7, true)]
    [InlineData(37, 13, 256, true)]
    [InlineData(300, 200, 300, false)]
    [InlineData(300, 200, 300, true)]
    public void ProductsMatchTheDefinitionAndNotTheThreadCount(int m, int k, int n, bool transposeA)
    {
        var random = new SeededRandom(1);
        var a = Enumerable.Range(0, m * k).Select(_ => random.NextFloat() * 2 - 1).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => random.NextFloat() * 2 - 1).ToArray();
        var one = new float[m * n];
        var three = new float[m * n];
        Gemm.Multiply(a, transposeA, b, one, m, k, n, maxThreads: 1);
        Gemm.Multiply(a, transposeA, b, three, m, k, n, maxThreads: 3);
        Assert.Equal(one, three);
        for (int row = 0; row < m; row++)
            for (int col = 0; col < n; col++)
            {
                double sum = 0;
                for (int i = 0; i < k; i++) sum += (double)a[transposeA ? i * m + row : row * k + i] * b[i * n + col];
                Assert.Equal(sum, one[row * n + col], 1e-4);
            }
    }
}
