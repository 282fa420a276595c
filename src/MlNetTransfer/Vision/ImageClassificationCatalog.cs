using Microsoft.ML;

namespace MlNetTransfer.Vision;

/// <summary>Adds <c>ImageClassification</c> to <c>mlContext.MulticlassClassification.Trainers</c>.</summary>
public static class ImageClassificationCatalog
{
    /// <summary>The image classification trainer with default options for the given columns.</summary>
    public static ImageClassificationTrainer ImageClassification(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "ImagePath", string scoreColumnName = "Score",
        string predictedLabelColumnName = "PredictedLabel", IDataView? validationSet = null) =>
        new(new ImageClassificationTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            ScoreColumnName = scoreColumnName,
            PredictedLabelColumnName = predictedLabelColumnName,
            ValidationSet = validationSet,
        });

    /// <summary>The image classification trainer with full options.</summary>
    public static ImageClassificationTrainer ImageClassification(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        ImageClassificationTrainer.Options options) => new(options);
}
