namespace MlNetTransfer.Data;

/// <summary>
/// An image and the index of its class in the data set's class list. <see cref="Path"/> names the image: a file
/// path, or, for a row of an ML.NET data view (<see cref="Row"/>), a name for it in results and messages.
/// </summary>
/// <param name="Row">Where the encoded image is read from when it is wanted; null: the file at <see cref="Path"/>.</param>
internal sealed record LabelledImage(string Path, int Label, ImageRow? Row = null)
{
    /// <summary>The encoded image.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public byte[] ReadBytes() => Row is { } row ? row.Read() : File.ReadAllBytes(Path);
}
