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

    /// <summary>The order to read images in: a data view's rows by row (their reader only moves forward), files as they come.</summary>
    public static long ReadOrder(LabelledImage image) => image.Row?.Index ?? -1;

    /// <summary>Up to <paramref name="count"/> of <paramref name="items"/>, evenly spaced from the first to near the last.</summary>
    public static IEnumerable<T> Spread<T>(IReadOnlyList<T> items, int count) =>
        items.Count <= count ? items : Enumerable.Range(0, count).Select(j => items[(int)((long)j * items.Count / count)]);
}
