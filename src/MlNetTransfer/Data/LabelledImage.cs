namespace MlNetTransfer.Data;

/// <summary>
/// An image and the index of its class in the data set's class list. <see cref="Path"/> names the image: a file
/// path, or, when <see cref="Bytes"/> holds the encoded image (a row of an ML.NET data view), a name for it in
/// results and messages.
/// </summary>
internal sealed record LabelledImage(string Path, int Label, byte[]? Bytes = null);
