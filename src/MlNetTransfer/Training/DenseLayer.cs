namespace MlNetTransfer.Training;

/// <summary>A fully connected layer y = W x + b, with W stored row-major as [Outputs, Inputs] (PyTorch's layout).</summary>
internal sealed class DenseLayer
{
    public DenseLayer(int inputs, int outputs)
    {
        Inputs = inputs;
        Outputs = outputs;
        Weights = new float[inputs * outputs];
        Bias = new float[outputs];
    }

    public int Inputs { get; }
    public int Outputs { get; }
    public float[] Weights { get; }
    public float[] Bias { get; }

    public DenseLayer Clone()
    {
        var copy = new DenseLayer(Inputs, Outputs);
        Weights.CopyTo(copy.Weights, 0);
        Bias.CopyTo(copy.Bias, 0);
        return copy;
    }

    /// <summary>PyTorch's nn.Linear initialisation: weights and bias uniform in ±1/sqrt(inputs).</summary>
    public void InitializeUniform(SeededRandom random)
    {
        float bound = 1f / MathF.Sqrt(Inputs);
        for (int i = 0; i < Weights.Length; i++) Weights[i] = (random.NextFloat() * 2 - 1) * bound;
        for (int i = 0; i < Bias.Length; i++) Bias[i] = (random.NextFloat() * 2 - 1) * bound;
    }
}
