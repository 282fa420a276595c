namespace MlNetTransfer.Vision;

public sealed partial class ImageClassificationTrainer
{
    /// <summary>One epoch's figures on one set (ML.NET's shape and text).</summary>
    public sealed class TrainMetrics
    {
        public ImageClassificationMetrics.Dataset DatasetUsed { get; set; }
        /// <summary>Mini-batches the figures were taken over.</summary>
        public int BatchProcessedCount { get; set; }
        /// <summary>The epoch, counted from 0 as ML.NET counts it.</summary>
        public int Epoch { get; set; }
        public float Accuracy { get; set; }
        public float CrossEntropy { get; set; }
        public float LearningRate { get; set; }

        public override string ToString() =>
            $"Phase: Training, Dataset used: {DatasetUsed.ToString(),10}, Batch Processed Count: {BatchProcessedCount,3}, " +
            $"Epoch: {Epoch,3}, Accuracy: {Accuracy,10}, Cross-Entropy: {CrossEntropy,10}" +
            (DatasetUsed == ImageClassificationMetrics.Dataset.Train ? $", Learning Rate: {LearningRate,10}" : "");
    }

    /// <summary>Bottleneck (feature) computation of one image (ML.NET's shape and text).</summary>
    public sealed class BottleneckMetrics
    {
        public ImageClassificationMetrics.Dataset DatasetUsed { get; set; }
        /// <summary>Images of <see cref="DatasetUsed"/> done so far, counted from 1.</summary>
        public int Index { get; set; }

        public override string ToString() => $"Phase: Bottleneck Computation, Dataset used: {DatasetUsed.ToString(),10}, Image Index: {Index,3}";
    }

    /// <summary>What the trainer reports: <see cref="Bottleneck"/> while features are computed, then <see cref="Train"/> after each epoch.</summary>
    public sealed class ImageClassificationMetrics
    {
        /// <summary>Which set a report is about.</summary>
        public enum Dataset
        {
            Train,
            Validation,
        }

        /// <summary>Null while the bottleneck phase runs.</summary>
        public TrainMetrics? Train { get; set; }
        public BottleneckMetrics? Bottleneck { get; set; }

        public override string ToString() => Train is not null ? Train.ToString() : Bottleneck?.ToString() ?? "";
    }
}
