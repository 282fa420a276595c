using System.Globalization;
using System.Text;
using System.Text.Json;
using MlNetTransfer.IO;
using MlNetTransfer.Model;
using MlNetTransfer.Training;

namespace MlNetTransfer.Pipeline;

/// <summary>The files a training run writes beside model.zip, and the <see cref="TrainReport"/> they hold.</summary>
internal static class RunFiles
{
    public const string Metrics = "metrics.json";
    public const string ValidationPredictions = "validation-predictions.json";
    public const string Epochs = "epochs.csv";
    public const string Settings = "train.json";

    /// <summary>
    /// Refuses, before any work, an output folder that cannot be made or written (a path through a file, a read-only
    /// place): found at the end, it cost the whole run. Leaves nothing behind.
    /// </summary>
    /// <exception cref="MlNetTransferException">Naming <see cref="TrainSettings.OutputFolder"/>.</exception>
    public static void CheckOutputFolder(string? folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
            throw new MlNetTransferException($"No output folder given ({nameof(TrainSettings.OutputFolder)} is empty).", nameof(TrainSettings.OutputFolder));
        string? existing = Path.GetFullPath(folder);
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing))
                throw new MlNetTransferException($"The output folder {folder} cannot be made: {existing} is a file.", nameof(TrainSettings.OutputFolder));
            existing = Path.GetDirectoryName(existing);
        }
        if (existing is null) return; // no part of it exists, not even a root: creating it will say why
        try
        {
            string probe = Path.Combine(existing, $".mlnettransfer-write-check-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MlNetTransferException($"The output folder {folder} cannot be written ({existing}: {e.Message}).", nameof(TrainSettings.OutputFolder), e);
        }
    }

    /// <summary>Writes metrics.json, epochs.csv, train.json, validation-predictions.json and report.html; returns the report.</summary>
    public static TrainReport Write(TrainSettings settings, PipelineResult result, string modelPath, TimeSpan elapsed)
    {
        var training = result.Training;
        var validationReport = EvaluationReport.From(result.Dataset.Classes, result.ValidationPredictions, result.Extraction.Skipped);
        string html = Reports.HtmlReport.Write(settings.OutputFolder, $"MlNetTransfer training report: {Path.GetFileName(Path.GetFullPath(settings.DataFolder))}",
            validationReport, training.Epochs, training.BestEpoch, result.DataCheck, Describe(result.View), calibration: result.Calibration, modelPath: modelPath);
        var report = new TrainReport
        {
            Classes = result.Dataset.Classes,
            BestEpoch = training.BestEpoch,
            StoppedEarly = training.StoppedEarly,
            Epochs = training.Epochs,
            Validation = new ValidationSummary(training.Best.ValidationAccuracy, training.Best.ValidationLoss, result.Validation.Count),
            TrainCount = result.Train.Count,
            Skipped = result.Extraction.Skipped,
            FeatureExtraction = Summary(result.Extraction),
            Backbone = result.Backbone.Name,
            ModelPath = modelPath,
            Seconds = elapsed.TotalSeconds,
            ValidationPredictions = result.ValidationPredictions,
            ReportPath = Path.GetFullPath(html),
            DataCheck = result.DataCheck,
            Test = result.Test,
            AugmentedViews = result.Views is null ? null : Summary(result.Views),
            View = result.View,
            Precision = result.Precision,
            Calibration = result.Calibration,
            Novelty = result.Novelty?.Summary,
        };
        AtomicFile.WriteText(Path.Combine(settings.OutputFolder, Metrics), JsonSerializer.Serialize(report, Json.Options));
        AtomicFile.WriteText(Path.Combine(settings.OutputFolder, Epochs), EpochsCsv(report.Epochs));
        var resolved = settings.Resolved();
        resolved.ViewChoice = result.View;
        AtomicFile.WriteText(Path.Combine(settings.OutputFolder, Settings), JsonSerializer.Serialize(resolved, Json.Options));
        AtomicFile.WriteText(Path.Combine(settings.OutputFolder, ValidationPredictions), JsonSerializer.Serialize(report.ValidationPredictions, Json.Options));
        return report;
    }

    /// <summary>One line for a person: the view and why.</summary>
    public static string Describe(ViewChoiceReport view) => $"{view.Chosen.ToString().ToLowerInvariant()}: {view.Reason}";

    private static ExtractionSummary Summary(Features.ExtractionResult e) => new(e.Images, e.FromCache, e.Extracted, e.Seconds, e.CorruptCacheEntries);

    private static string EpochsCsv(IEnumerable<EpochMetrics> epochs)
    {
        var csv = new StringBuilder("epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,is_best,seconds\n");
        foreach (var e in epochs)
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{e.Epoch},{e.TrainLoss:R},{e.TrainAccuracy:R},{e.ValidationLoss:R},{e.ValidationAccuracy:R},{(e.IsBest ? 1 : 0)},{e.Seconds:F3}"));
        return csv.ToString();
    }
}
