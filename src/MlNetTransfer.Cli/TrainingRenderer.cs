using System.Diagnostics;
using System.Globalization;

namespace MlNetTransfer.Cli;

/// <summary>Renders training events as plain lines: progress at most every two seconds, one row per epoch.</summary>
internal sealed class TrainingRenderer(TextWriter output, bool quiet) : IProgress<TrainingEvent>
{
    private readonly Stopwatch _sinceLastProgress = Stopwatch.StartNew();
    private bool _headerWritten;

    /// <summary>The extraction's progress as one line, for train and extract alike.</summary>
    public static string FeaturesLine(Features.ExtractionProgress p)
    {
        string extracted = p.Extracted == 0 ? "0 extracted" : Inv($"{p.Extracted} extracted at {p.ExtractedPerSecond:F1} img/s");
        return Inv($"Features: {p.Done}/{p.Total} ({p.FromCache} from cache, {extracted}, {p.Skipped} skipped)");
    }

    public void Report(TrainingEvent value)
    {
        if (quiet) return;
        lock (output)
            switch (value)
            {
                case DatasetScanned d:
                    output.WriteLine($"Data: {d.Classes} classes, {d.TrainImages} training and {d.ValidationImages} validation images ({(d.HasOwnSplit ? "the folder's own train/val split" : "seeded stratified split")}).");
                    break;
                case PrecisionChosen { Choice: var choice }:
                    output.WriteLine($"Network: {choice.Name} ({choice.Reason}).");
                    break;
                case Calibrating calibrating:
                    output.WriteLine($"Calibrating the int8 network on {calibrating.Images} training images (kept in the cache for later runs).");
                    break;
                case ViewChosen { Report: var r }:
                    output.WriteLine($"View: {MlNetTransfer.Pipeline.RunFiles.Describe(r)}.");
                    break;
                case ExtractionAdvanced { Progress: var p }:
                    bool done = p.Done == p.Total;
                    if (!done && _sinceLastProgress.Elapsed.TotalSeconds < 2) break;
                    _sinceLastProgress.Restart();
                    double rate = p.ExtractedPerSecond;
                    string eta = rate > 0 && !done ? $", about {TimeSpan.FromSeconds((p.Total - p.Done) / rate):mm\\:ss} left" : "";
                    output.WriteLine(FeaturesLine(p) + eta);
                    break;
                case EpochEnded { Metrics: var m }:
                    if (!_headerWritten)
                    {
                        output.WriteLine("epoch  train loss  train acc  val loss  val acc");
                        _headerWritten = true;
                    }
                    output.WriteLine(Inv($"{m.Epoch,5}  {m.TrainLoss,10:F4}  {m.TrainAccuracy,9:F4}  {m.ValidationLoss,8:F4}  {m.ValidationAccuracy,7:F4}{(m.IsBest ? "  *best" : "")}"));
                    break;
                case SavingModel s:
                    output.WriteLine($"Saving {s.Path}");
                    break;
            }
    }

    public void Summary(TrainReport report, string outputFolder)
    {
        if (report.Skipped.Count > 0)
        {
            output.WriteLine($"Skipped {report.Skipped.Count} image(s):");
            foreach (var s in report.Skipped) output.WriteLine($"  {s.Path}: {s.Reason}");
        }
        if (report.DataCheck is { Findings: > 0 } check)
        {
            output.WriteLine($"Data check (nothing was dropped; see dataCheck in metrics.json):");
            foreach (var o in check.Outliers.Take(10))
                output.WriteLine(Inv($"  outlier: {o.Path} (labelled {o.Label}; similarity to the nearest class {o.BestClassSimilarity:F3})"));
            foreach (var m in check.LikelyMislabelled.Take(10))
                output.WriteLine($"  likely mislabelled: {m.Path} (labelled {m.Label}; its {Data.DataCheck.Neighbours} nearest neighbours are {m.NeighboursLabel})");
            foreach (var l in check.TrainValidationLeaks.Take(10))
                output.WriteLine(Inv($"  in training and validation: {l.First} ~ {l.Second} ({(l.Exact ? "identical" : $"similarity {l.Similarity:F3}")})"));
            if (check.TrainValidationLeakCount > 10) output.WriteLine($"  ... {check.TrainValidationLeakCount - 10} more pairs in training and validation");
            int plainDuplicates = check.DuplicateCount - check.TrainValidationLeakCount;
            foreach (var p in check.Duplicates.Except(check.TrainValidationLeaks).Take(10))
                output.WriteLine(Inv($"  duplicate: {p.First} ~ {p.Second} ({(p.Exact ? "identical" : $"similarity {p.Similarity:F3}")})"));
            if (plainDuplicates > 10) output.WriteLine($"  ... {plainDuplicates - 10} more duplicate pairs");
        }
        var f = report.FeatureExtraction;
        if (f.CorruptCacheEntries > 0)
            output.WriteLine($"warning: {f.CorruptCacheEntries} cache entr{(f.CorruptCacheEntries == 1 ? "y was" : "ies were")} corrupt and recomputed.");
        output.WriteLine(Inv($"Features: {f.Images} images, {f.FromCache} from cache, {f.Extracted} extracted in {f.Seconds:F1} s."));
        string stop = report.StoppedEarly ? $"stopped early after epoch {report.Epochs[^1].Epoch}" : (report.Epochs.Count == 1 ? "ran its 1 epoch" : $"ran all {report.Epochs.Count} epochs");
        output.WriteLine(Inv($"Best epoch {report.BestEpoch} ({stop}): validation accuracy {report.Validation.Accuracy:F4}, loss {report.Validation.Loss:F4}, on {report.Validation.Count} images."));
        if (report.Test is { } test)
            output.WriteLine(Inv($"Test (evaluated once, after training): accuracy {test.Accuracy:F4}, loss {test.Loss:F4}, on {test.Count} images."));
        output.WriteLine($"Model:   {report.ModelPath}");
        output.WriteLine($"Metrics: {Path.GetFullPath(Path.Combine(outputFolder, ImageClassifier.MetricsFileName))}");
        output.WriteLine($"Report:  {report.ReportPath}");
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
