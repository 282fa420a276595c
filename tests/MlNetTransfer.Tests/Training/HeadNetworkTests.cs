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

    // The big layer's SGD step runs inside the gradient product (its gradient never stored). It must change nothing:
    // weights and velocities after several steps equal those of the separate update bit for bit. Widths that
    // exercise every block of the product (32-, 16-column blocks, single rows, scalar columns).
    [Theory]
    [InlineData(37, 53, 0f)]
    [InlineData(512, 256, 0f)]
    [InlineData(64, 40, 0.01f)]
    public void TheFusedSgdStepEqualsTheSeparateOne(int inputs, int hidden, float weightDecay)
    {
        var options = new TrainingOptions { WeightDecay = weightDecay };
        var (fused, fusedNet, fusedOptimizer) = Head(inputs, hidden, options);
        var (separate, separateNet, separateOptimizer) = Head(inputs, hidden, options);
        var data = new SeededRandom(9);
        int rows = 13;
        for (int step = 0; step < 5; step++)
        {
            var x = Enumerable.Range(0, rows * inputs).Select(_ => data.NextFloat() * 2 - 1).ToArray();
            var y = Enumerable.Range(0, rows).Select(i => (i + step) % 3).ToArray();
            fusedNet.Forward(x, rows, training: true, new SeededRandom(step));
            separateNet.Forward(x, rows, training: true, new SeededRandom(step));
            Assert.True(fusedNet.Backward(y, rows, dropoutWasApplied: true, firstLayerUpdate: fusedOptimizer.FusedSgd(0, 0.05f)));
            Assert.False(separateNet.Backward(y, rows, dropoutWasApplied: true));
            fusedOptimizer.Step(Parameters(fusedNet, fused), Gradients(fusedNet), 0.05f, alreadyUpdated: 0);
            separateOptimizer.Step(Parameters(separateNet, separate), Gradients(separateNet), 0.05f);
        }
        for (int i = 0; i < fusedNet.Working.Length; i++)
            Assert.Equal(separateNet.Working[i], fusedNet.Working[i]);
        Assert.Equal(separateOptimizer.FusedSgd(0, 0)!.Value.Velocity, fusedOptimizer.FusedSgd(0, 0)!.Value.Velocity);
    }

    // A weight whose gradient stays 0 (a switched-off hidden unit) must see its velocity reach 0 without passing
    // through subnormal floats, which cost about a hundred times a normal operation.
    [Fact]
    public void AVelocityWithoutGradientDecaysToZeroWithoutSubnormals()
    {
        var parameters = new float[41];
        var gradient = Enumerable.Repeat(1f, parameters.Length).ToArray();
        var optimizer = new Optimizer(new TrainingOptions(), [parameters]);
        var velocity = optimizer.FusedSgd(0, 0.01f)!.Value.Velocity;
        optimizer.Step([parameters], [gradient], 0.01f);
        Array.Clear(gradient);
        for (int step = 0; step < 1000; step++)
        {
            optimizer.Step([parameters], [gradient], 0.01f);
            Assert.All(velocity, v => Assert.True(v == 0 || float.IsNormal(v), $"step {step}: {v}"));
        }
        Assert.All(velocity, v => Assert.Equal(0f, v));
    }

    private static (HeadWeights, HeadNetwork, Optimizer) Head(int inputs, int hidden, TrainingOptions options)
    {
        var random = new SeededRandom(4);
        var layers = new List<DenseLayer> { new(inputs, hidden), new(hidden, 3) };
        foreach (var l in layers) l.InitializeUniform(random);
        var weights = new HeadWeights(new float[inputs], Enumerable.Repeat(1f, inputs).ToArray(), layers);
        var network = new HeadNetwork(weights, dropout: 0.4f, maxRows: 16);
        return (weights, network, new Optimizer(options, Parameters(network, weights)));
    }

    private static float[][] Parameters(HeadNetwork network, HeadWeights weights) => [.. network.Working, .. weights.Layers.Select(l => l.Bias)];
    private static float[][] Gradients(HeadNetwork network) => [.. network.GradW, .. network.GradB];

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
