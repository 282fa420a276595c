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
