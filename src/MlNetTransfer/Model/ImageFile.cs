namespace MlNetTransfer.Model;

/// <summary>
/// An image file's bytes for one prediction: a file that cannot be read (missing, a folder, no permission) is an
/// unusable image like one that cannot be decoded, named with the reason, whichever predictor is asked.
/// </summary>
internal static class ImageFile
{
    /// <exception cref="InvalidDataException">The file cannot be read; the message names it and says why.</exception>
    public static byte[] Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read file: {e.Message}", e);
        }
    }
}
