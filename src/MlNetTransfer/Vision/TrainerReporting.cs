using Microsoft.ML.Runtime;
using MlNetTransfer.Training;
using static MlNetTransfer.Vision.ImageClassificationTrainer;

namespace MlNetTransfer.Vision;

/// <summary>
/// The estimator's progress as ML.NET's ImageClassificationTrainer gives it: one <see cref="BottleneckMetrics"/> per
/// image whose features are done, then <see cref="TrainMetrics"/> for the training and validation sets after each
/// epoch; to <see cref="Options.MetricsCallback"/> when there is one, else as Trace messages on <c>MLContext.Log</c>
/// from "ImageClassificationTrainer" (which ML.NET's sample filters on). Warnings always go to the log.
/// </summary>
internal sealed class TrainerReporting(Options options, IChannel? channel) : IProgress<TrainingEvent>
{
    private readonly Dictionary<ImageSet, int> _done = [];
    private int _validationImages;

    // Extraction reports from several threads at once; the user's callback, as ML.NET's trainer calls it, sees one at a time.
    public void Report(TrainingEvent value)
    {
        lock (_done) Handle(value);
    }

    private void Handle(TrainingEvent value)
    {
        switch (value)
        {
            case DatasetScanned d:
                _validationImages = d.ValidationImages;
                break;
            case ExtractionAdvanced { Set: var set and (ImageSet.Training or ImageSet.Validation), SetProgress: var p }:
                var dataset = set == ImageSet.Validation ? ImageClassificationMetrics.Dataset.Validation : ImageClassificationMetrics.Dataset.Train;
                for (int index = _done.GetValueOrDefault(set) + 1; index <= p.Done; index++)
                    Deliver(new ImageClassificationMetrics { Bottleneck = new BottleneckMetrics { DatasetUsed = dataset, Index = index } });
                _done[set] = Math.Max(_done.GetValueOrDefault(set), p.Done);
                break;
            case EpochEnded { Metrics: var m }:
                if (options.TestOnTrainSet)
                    Deliver(Epoch(m, ImageClassificationMetrics.Dataset.Train, m.Batches, m.TrainAccuracy, m.TrainLoss));
                int validationBatches = (_validationImages + options.BatchSize - 1) / Math.Max(1, options.BatchSize);
                Deliver(Epoch(m, ImageClassificationMetrics.Dataset.Validation, validationBatches, m.ValidationAccuracy, m.ValidationLoss));
                break;
        }
    }

    /// <summary>A warning on <c>MLContext.Log</c> (Kind=Warning), whatever the callback.</summary>
    public void Warn(string message) => channel?.Warning(MessageSensitivity.None, message);

    private static ImageClassificationMetrics Epoch(EpochMetrics m, ImageClassificationMetrics.Dataset dataset, int batches, double accuracy, double loss) => new()
    {
        Train = new TrainMetrics
        {
            DatasetUsed = dataset,
            Epoch = m.Epoch - 1,
            BatchProcessedCount = batches,
            Accuracy = (float)accuracy,
            CrossEntropy = (float)loss,
            LearningRate = (float)m.LearningRate,
        },
    };

    private void Deliver(ImageClassificationMetrics metrics)
    {
        if (options.MetricsCallback is { } callback) callback(metrics);
        else channel?.Trace(MessageSensitivity.Unknown, metrics.ToString());
    }
}
