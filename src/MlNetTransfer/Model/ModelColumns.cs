namespace MlNetTransfer.Model;

/// <summary>Column names of the saved model, the contract a consuming app binds to.</summary>
internal static class ModelColumns
{
    /// <summary>Input of a path model: path of the image file.</summary>
    public const string ImagePath = "ImagePath";
    /// <summary>Input of a bytes model (Model Builder's name): the encoded image.</summary>
    public const string ImageSource = "ImageSource";
    /// <summary>A Model-Builder-style model's label column (a key over the class names) and its input (the class name, or empty).</summary>
    public const string Label = "Label";
    /// <summary>Output: the predicted class name.</summary>
    public const string PredictedLabel = ClassifierGraph.LabelOutput;
    /// <summary>Output: class probabilities, in the order of <see cref="ModelInfo.Classes"/>.</summary>
    public const string Score = ClassifierGraph.ScoreOutput;
    /// <summary>Output (models with novelty): the novelty score, a vector of one float.</summary>
    public const string Novelty = Confidence.NoveltyDetector.NoveltyOutput;
    /// <summary>Output (models with novelty): novelty above the threshold, a vector of one bool.</summary>
    public const string Unknown = Confidence.NoveltyDetector.UnknownOutput;
}
