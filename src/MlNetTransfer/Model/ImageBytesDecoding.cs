using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Image;

namespace MlNetTransfer.Model;

/// <summary>
/// The one step of a bytes-in model that stock ML.NET lacks: encoded image bytes (a <c>byte[]</c> column, as
/// <c>LoadRawImageBytes</c>, Model Builder and web apps pass them) to an ML.NET image, which ML.NET's own resize and
/// pixel extraction then take, exactly as for a path model. It is a CustomMapping, saved in the model by its contract
/// name with this assembly's name: ML.NET loads this assembly by itself when an app that references the MlNetTransfer
/// package loads the model, with no setup line.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class ImageBytesDecoding : CustomMappingFactory<ImageBytesDecoding.EncodedImage, ImageBytesDecoding.DecodedImage>
{
    /// <summary>The name the saved model knows this step by.</summary>
    public const string ContractName = "MlNetTransfer.DecodeImageBytes";
    /// <summary>The column this step reads (a copy of the model's input column).</summary>
    public const string BytesColumn = "__MlNetTransfer_Bytes";

    public override Action<EncodedImage, DecodedImage> GetMapping() => Decode;

    /// <summary>Decodes one row; throws <see cref="InvalidDataException"/> with the reason when the bytes are not a usable image.</summary>
    public static void Decode(EncodedImage input, DecodedImage output)
    {
        // ML.NET reuses the output object for every row and never disposes what it held: the previous image goes here.
        output.Image?.Dispose();
        output.Image = null;
        if (Data.ImageCheck.Problem(input.Bytes) is { } problem)
            throw new InvalidDataException($"The image bytes cannot be used: {problem}.");
        // A large JPEG is decoded at a DCT scale (Data.ShrinkOnLoad), as training decoded it; anything else whole, as
        // LoadImages does.
        using var image = Data.ShrinkOnLoad.Decode(input.Bytes) is { } decoded ? Data.ImagePixels.InMlImageForm(decoded) : null;
        output.Image = image is null
            ? MLImage.CreateFromStream(new MemoryStream(input.Bytes, writable: false))
            : MLImage.CreateFromPixels(image.Width, image.Height,
                image.ColorType == SkiaSharp.SKColorType.Rgba8888 ? MLPixelFormat.Rgba32 : MLPixelFormat.Bgra32, image.GetPixelSpan());
    }

    /// <summary>The step's input row.</summary>
    public sealed class EncodedImage
    {
        [ColumnName(BytesColumn)]
        public byte[] Bytes { get; set; } = [];
    }

    /// <summary>The step's output row. The declared size is a placeholder: ML.NET's resize takes any image size.</summary>
    public sealed class DecodedImage
    {
        [ColumnName(ModelFront.ImageColumn)]
        [ImageType(1, 1)]
        public MLImage? Image { get; set; }
    }
}
