namespace MlNetTransfer.Model;

/// <summary>What a saved model's pipeline reads an image from.</summary>
public enum ImageInputKind
{
    /// <summary>A text column with the path of an image file (ML.NET's <c>LoadImages</c>): the .zip needs the ML.NET packages only.</summary>
    Path,
    /// <summary>A <c>byte[]</c> column with the encoded image (as <c>LoadRawImageBytes</c>, Model Builder and web apps give it): the app references the MlNetTransfer package.</summary>
    Bytes,
}

/// <summary>The saved model's input: the kind of column and its name.</summary>
internal sealed record ModelInput(ImageInputKind Kind, string Column)
{
    /// <summary>The default path input: a text column "ImagePath".</summary>
    public static ModelInput ImagePath { get; } = new(ImageInputKind.Path, ModelColumns.ImagePath);

    /// <summary>The default bytes input, Model Builder's name: a byte[] column "ImageSource".</summary>
    public static ModelInput ImageSource { get; } = new(ImageInputKind.Bytes, ModelColumns.ImageSource);

    /// <summary>The input of <paramref name="kind"/>, in column <paramref name="column"/> or that kind's default column.</summary>
    public static ModelInput Of(ImageInputKind kind, string? column) =>
        new(kind, string.IsNullOrWhiteSpace(column) ? (kind == ImageInputKind.Bytes ? ImageSource : ImagePath).Column : column);
}
