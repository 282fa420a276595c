namespace MlNetTransfer.Confidence;

/// <summary>
/// How well the model's top probability matches how often it is right, on the validation images, before and after
/// the temperature (metrics.json's <c>calibration</c>).
/// </summary>
/// <param name="Temperature">The saved graph divides the logits by it before the softmax; 1: uncalibrated.</param>
/// <param name="EceBefore">Expected calibration error of the head's own probabilities (15 equal-width bins on the top probability).</param>
/// <param name="EceAfter">The same with the temperature applied.</param>
/// <param name="NllBefore">Mean negative log-likelihood of the true class, before.</param>
/// <param name="NllAfter">The same, after.</param>
internal sealed record CalibrationReport(double Temperature, double EceBefore, double EceAfter, double NllBefore, double NllAfter)
{
    /// <summary>Why the temperature was kept at 1 (calibration off, or no temperature worth saving); null when fitted.</summary>
    public string? Skipped { get; init; }

    /// <summary>Per bin (equal width on the top probability): images, mean confidence, accuracy; before and after (the reliability diagram).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal IReadOnlyList<ReliabilityBin> BinsBefore { get; init; } = [];

    [System.Text.Json.Serialization.JsonIgnore]
    internal IReadOnlyList<ReliabilityBin> BinsAfter { get; init; } = [];
}

/// <summary>One bin of a reliability diagram.</summary>
internal readonly record struct ReliabilityBin(int Count, double Confidence, double Accuracy);

/// <summary>
/// Temperature scaling (Guo et al. 2017): one scalar T that divides every logit, fitted on the validation set by the
/// negative log-likelihood. It changes no prediction (the arg-max stays), only how sure the probabilities are.
/// </summary>
internal static class TemperatureScaling
{
    public const int Bins = 15;

    /// <summary>
    /// Fits T to <paramref name="logits"/> (any per-row shift of them, such as log-probabilities, gives the same) and
    /// their true <paramref name="labels"/>; <paramref name="fit"/> false keeps T = 1 and only measures. T is kept at 1
    /// too (<see cref="CalibrationReport.Skipped"/> says why) when no validation image is misclassified or the best T is
    /// an end of the search range: the NLL then keeps falling towards that end, and a T of 0.05 would make every new
    /// image's score about 1.
    /// </summary>
    public static CalibrationReport Fit(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels, bool fit = true)
    {
        if (logits.Count != labels.Count) throw new ArgumentException($"{logits.Count} rows of logits but {labels.Count} labels.", nameof(labels));
        var (temperature, skipped) = Choose(logits, labels, fit);
        var (eceBefore, binsBefore) = Ece(logits, labels, 1);
        var (eceAfter, binsAfter) = Ece(logits, labels, temperature);
        return new CalibrationReport(temperature, eceBefore, eceAfter, Nll(logits, labels, 1), Nll(logits, labels, temperature))
        {
            Skipped = skipped,
            BinsBefore = binsBefore,
            BinsAfter = binsAfter,
        };
    }

    private static (double Temperature, string? Skipped) Choose(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels, bool fit)
    {
        if (!fit) return (1, "calibration off");
        if (logits.Count == 0) return (1, "no validation images");
        if (Enumerable.Range(0, logits.Count).All(i => Training.HeadMath.ArgMax(logits[i]) == labels[i]))
            return (1, "every validation image is classified right, so the likelihood only grows as the temperature falls");
        double best = Minimize(logits, labels);
        // The search ends within 1e-5 of an end in log T; 1e-3 is "at the end" whatever the rounding.
        if (Math.Log(best) - MinLogTemperature < 1e-3 || MaxLogTemperature - Math.Log(best) < 1e-3)
            return (1, FormattableString.Invariant($"the best temperature, {best:0.###}, is an end of the search range [{Math.Exp(MinLogTemperature):0.###}, {Math.Exp(MaxLogTemperature):0.###}]"));
        return (best, null);
    }

    /// <summary>Mean −log softmax(z / T)[label].</summary>
    public static double Nll(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels, double temperature)
    {
        double sum = 0;
        for (int i = 0; i < logits.Count; i++)
        {
            var z = logits[i];
            double max = z.Max() / temperature, logSum = 0;
            foreach (var v in z) logSum += Math.Exp(v / temperature - max);
            sum += max + Math.Log(logSum) - z[labels[i]] / temperature;
        }
        return logits.Count == 0 ? 0 : sum / logits.Count;
    }

    /// <summary>Expected calibration error: Σ over 15 equal-width bins of the top probability, share of images × |accuracy − mean confidence|.</summary>
    public static (double Ece, IReadOnlyList<ReliabilityBin> Bins) Ece(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels, double temperature)
    {
        var count = new int[Bins];
        var confidence = new double[Bins];
        var correct = new int[Bins];
        for (int i = 0; i < logits.Count; i++)
        {
            var z = logits[i];
            int best = Training.HeadMath.ArgMax(z);
            double sum = 0;
            foreach (var v in z) sum += Math.Exp((v - z[best]) / temperature);
            double top = 1 / sum;
            int bin = Math.Min(Bins - 1, (int)(top * Bins));
            count[bin]++;
            confidence[bin] += top;
            if (best == labels[i]) correct[bin]++;
        }
        double ece = 0;
        var bins = new ReliabilityBin[Bins];
        for (int b = 0; b < Bins; b++)
        {
            if (count[b] == 0) continue;
            double meanConfidence = confidence[b] / count[b], accuracy = (double)correct[b] / count[b];
            bins[b] = new ReliabilityBin(count[b], meanConfidence, accuracy);
            ece += count[b] / (double)logits.Count * Math.Abs(accuracy - meanConfidence);
        }
        return (ece, bins);
    }

    private static readonly double MinLogTemperature = Math.Log(0.05), MaxLogTemperature = Math.Log(20);

    // The NLL is convex in 1/T, so unimodal in log T: golden-section search over T in [0.05, 20].
    private static double Minimize(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels)
    {
        double a = MinLogTemperature, b = MaxLogTemperature, ratio = (Math.Sqrt(5) - 1) / 2;
        double c = b - ratio * (b - a), d = a + ratio * (b - a);
        double fc = Nll(logits, labels, Math.Exp(c)), fd = Nll(logits, labels, Math.Exp(d));
        while (b - a > 1e-5)
        {
            if (fc < fd) { b = d; d = c; fd = fc; c = b - ratio * (b - a); fc = Nll(logits, labels, Math.Exp(c)); }
            else { a = c; c = d; fc = fd; d = a + ratio * (b - a); fd = Nll(logits, labels, Math.Exp(d)); }
        }
        return Math.Exp((a + b) / 2);
    }
}
