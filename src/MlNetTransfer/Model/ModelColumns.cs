namespace MlNetTransfer.Model;

/// <summary>Column names of the saved model, the contract a consuming app binds to.</summary>
public static class ModelColumns
{
    /// <summary>Input: path of the image file.</summary>
    public const string ImagePath = "ImagePath";
    /// <summary>Output: the predicted class name.</summary>
    public const string PredictedLabel = ClassifierGraph.LabelOutput;
    /// <summary>Output: class probabilities, in the order of <see cref="ModelInfo.Classes"/>.</summary>
    public const string Score = ClassifierGraph.ScoreOutput;
}
