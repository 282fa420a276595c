using MlNetTransfer.Training;

namespace MlNetTransfer.Tests.Training;

public class HeadNetworkTests
{
    // Backprop checked against central differences of the mean NLL loss, on a small head without dropout. The first
    // layer is wide enough (16 outputs) to take the transposed, GEMM-based path; the class layer takes the narrow one.
    [Fact]
    public void GradientsMatchNumericalDerivatives()
    {
        var random = new SeededRandom(3);
        var layers = new List<DenseLayer> { new(5, 16), new(16, 3) };
        foreach (var l in layers) l.InitializeUniform(random);
        var weights = new HeadWeights(new float[5], Enumerable.Repeat(1f, 5).ToArray(), layers);
        int rows = 6;
        var x = Enumerable.Range(0, rows * 5).Select(_ => random.NextFloat() * 2 - 1).ToArray();
        var y = Enumerable.Range(0, rows).Select(i => i % 3).ToArray();
        var network = new HeadNetwork(weights, dropout: 0, maxRows: rows);

        double Loss()
        {
            var logp = network.Forward(x, rows, training: false, null);
            double sum = 0;
            for (int b = 0; b < rows; b++) sum -= logp[b * 3 + y[b]];
            return sum / rows;
        }

        network.Forward(x, rows, training: false, null);
        network.Backward(y, rows, dropoutWasApplied: false);
        for (int li = 0; li < layers.Count; li++)
        {
            var analytic = network.GradW[li].ToArray();
            var analyticBias = network.GradB[li].ToArray();
            for (int k = 0; k < analytic.Length; k += 3)
                Assert.Equal(Numeric(network.Working[li], k, Loss), analytic[k], 3);
            for (int k = 0; k < analyticBias.Length; k++)
                Assert.Equal(Numeric(layers[li].Bias, k, Loss), analyticBias[k], 3);
        }
    }

    private static double Numeric(float[] parameters, int index, Func<double> loss)
    {
        const float h = 1e-3f;
        float saved = parameters[index];
        parameters[index] = saved + h;
        double up = loss();
        parameters[index] = saved - h;
        double down = loss();
        parameters[index] = saved;
        return (up - down) / (2 * h);
    }
}
