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

    // A weight whose gradient stays 0 (a switched-off hidden unit) must see its velocity reach 0 without passing
    // through subnormal floats, which cost about a hundred times a normal operation.
    [Fact]
    public void AVelocityWithoutGradientDecaysToZeroWithoutSubnormals()
    {
        var parameters = new float[41];
        var gradient = Enumerable.Repeat(1f, parameters.Length).ToArray();
        var optimizer = new Optimizer(new TrainingOptions(), [parameters]);
        var velocity = optimizer.Velocity(0);
        optimizer.Step([parameters], [gradient], 0.01f);
        Array.Clear(gradient);
        for (int step = 0; step < 1000; step++)
        {
            optimizer.Step([parameters], [gradient], 0.01f);
            Assert.All(velocity, v => Assert.True(v == 0 || float.IsNormal(v), $"step {step}: {v}"));
        }
        Assert.All(velocity, v => Assert.Equal(0f, v));
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
