namespace MlNetTransfer.Data;

/// <summary>An image file and the index of its class in <see cref="ImageDataset.Classes"/>.</summary>
public sealed record LabelledImage(string Path, int Label);
