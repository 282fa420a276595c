using System.Collections.Concurrent;
using Microsoft.ML.Runtime;
using MlNetTransfer.Training;
using static MlNetTransfer.Vision.ImageClassificationTrainer;

namespace MlNetTransfer.Vision;

/// <summary>
/// The estimator's progress as ML.NET's ImageClassificationTrainer gives it: one <see cref="BottleneckMetrics"/> per
/// image whose features are done, then <see cref="TrainMetrics"/> for the training and validation sets after each
/// epoch; to <see cref="Options.MetricsCallback"/> when there is one, else as Trace messages on <c>MLContext.Log</c>
/// from "ImageClassificationTrainer" (which ML.NET's sample filters on). Warnings always go to the log. Everything is
/// delivered on the thread that called Fit, in order, as ML.NET's trainer does: reports from extraction's worker
/// threads wait for it.
/// </summary>
internal sealed class TrainerReporting(Options options, Lazy<IChannel> channel) : IProgress<TrainingEvent>
{
    private readonly int _fitThread = Environment.CurrentManagedThreadId;
    private readonly ConcurrentQueue<TrainingEvent> _waiting = new();
    private readonly Dictionary<ImageSet, int> _done = [];
    private int _validationImages;

    public void Report(TrainingEvent value)
    {
        _waiting.Enqueue(value);
        if (Environment.CurrentManagedThreadId == _fitThread) Flush();
    }

    /// <summary>Delivers what waits (call on the Fit thread).</summary>
    public void Flush()
    {
        while (_waiting.TryDequeue(out var value)) Handle(value);
    }

    /// <summary>A warning on <c>MLContext.Log</c> (Kind=Warning), whatever the callback.</summary>
    public void Warn(string message) => channel.Value.Warning(MessageSensitivity.None, message);

    private void Handle(TrainingEvent value)
    {
        switch (value)
        {
            case DatasetScanned d:
                _validationImages = d.ValidationImages;
                break;
            case PrecisionChosen { Choice: var choice }: // on MLContext.Log, since ML.NET's metrics have no field for it
                channel.Value.Info(MessageSensitivity.None, $"Network: {choice.Name} ({choice.Reason}).");
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
        else channel.Value.Trace(MessageSensitivity.Unknown, metrics.ToString());
    }
}
