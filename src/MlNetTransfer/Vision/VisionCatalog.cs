using Microsoft.ML;

namespace MlNetTransfer.Vision;

/// <summary>Adds <c>ImageClassification</c> to <c>mlContext.MulticlassClassification.Trainers</c>, as ML.NET's VisionCatalog does.</summary>
public static class VisionCatalog
{
    /// <summary>The image classification trainer with full options.</summary>
    public static ImageClassificationTrainer ImageClassification(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        ImageClassificationTrainer.Options options) =>
        new(Model.MlNetInternals.EnvironmentOf(catalog), options);

    /// <summary>The image classification trainer with default options for the given columns.</summary>
    public static ImageClassificationTrainer ImageClassification(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", string scoreColumnName = "Score",
        string predictedLabelColumnName = "PredictedLabel", IDataView? validationSet = null) =>
        ImageClassification(catalog, new ImageClassificationTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            ScoreColumnName = scoreColumnName,
            PredictedLabelColumnName = predictedLabelColumnName,
            ValidationSet = validationSet,
        });
}
