using MlNetTransfer.Training;
using Microsoft.ML.Trainers;

namespace MlNetTransfer.Vision;

/// <summary>ML.NET's learning-rate schedulers as a rate for each mini-batch, by their own formulas (global step = epoch × batches per epoch + batch).</summary>
internal static class LearningRates
{
    /// <summary>The schedule of <paramref name="scheduler"/>; null for a scheduler this tool cannot read (the caller says so).</summary>
    public static IRateSchedule? From(LearningRateScheduler scheduler) => Formula(scheduler) is { } formula ? new Schedule(formula) : null;

    private sealed class Schedule(Func<int, int, int, float> formula) : IRateSchedule
    {
        public float RateAt(int epoch, int batch, int batchesPerEpoch) => formula(epoch, batch, batchesPerEpoch);
    }

    private static Func<int, int, int, float>? Formula(LearningRateScheduler scheduler) => scheduler switch
    {
        ExponentialLRDecay e => (epoch, batch, batches) =>
        {
            float p = Step(epoch, batch, batches) / (float)DecaySteps(batches, e.NumEpochsPerDecay);
            return e.LearningRate * MathF.Pow(e.DecayRate, e.Staircase ? MathF.Floor(p) : p);
        },
        PolynomialLRDecay d => (epoch, batch, batches) =>
        {
            float step = Step(epoch, batch, batches), decaySteps = DecaySteps(batches, d.NumEpochsPerDecay);
            float span = d.Cycle && step > decaySteps ? decaySteps * MathF.Ceiling(step / decaySteps) : decaySteps;
            float progress = d.Cycle && step > decaySteps ? step / span : Math.Min(step, decaySteps) / decaySteps;
            return (d.LearningRate - d.EndLearningRate) * MathF.Pow(1 - progress, d.Power) + d.EndLearningRate;
        },
        _ => null,
    };

    private static int Step(int epoch, int batch, int batches) => epoch * batches + batch;

    private static int DecaySteps(int batches, float epochsPerDecay) => Math.Max(1, (int)(batches * epochsPerDecay));
}
