namespace MlNetTransfer.Model;

/// <summary>The model's answer for one image: the label, its probability, and every class's probability (Score order).</summary>
public sealed record Prediction(string ImagePath, string PredictedLabel, float Confidence, IReadOnlyList<float> Scores);
