using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MlNetTransfer.Backbones;

namespace MlNetTransfer.Features;

/// <summary>
/// Turns encoded image bytes into the planar RGB pixels the feature graph takes, with ML.NET's own image
/// transforms: the very code the saved model runs, so training and prediction see identical pixels.
/// One instance per thread (a PredictionEngine is not thread-safe).
/// </summary>
internal sealed class ImagePixels : IDisposable
{
    private readonly PredictionEngine<ImageRow, PixelRow> _engine;

    public ImagePixels(MLContext ml, BackboneDescription backbone)
    {
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>());
        var transformer = AppendResizeAndExtract(ml, backbone).Fit(empty);
        _engine = ml.Model.CreatePredictionEngine<ImageRow, PixelRow>(transformer);
        Length = 3 * backbone.DecodedSize * backbone.DecodedSize;
    }

    public int Length { get; }

    /// <summary>The resize and pixel extraction of both the extraction path and the saved model: one definition.</summary>
    public static IEstimator<ITransformer> AppendResizeAndExtract(MLContext ml, BackboneDescription backbone, string imageColumn = ImageColumn)
    {
        var kind = backbone.Resize == ResizeMode.Stretch
            ? ImageResizingEstimator.ResizingKind.Fill
            : ImageResizingEstimator.ResizingKind.IsoCrop;
        return ml.Transforms.ResizeImages(imageColumn, backbone.DecodedSize, backbone.DecodedSize, imageColumn, kind, ImageResizingEstimator.Anchor.Center)
            .Append(ml.Transforms.ExtractPixels(ClassifierGraph.PixelsInput, imageColumn));
    }

    /// <summary>
    /// The saved model's front: load the image at <paramref name="pathColumn"/>, resize, extract pixels, run
    /// <paramref name="graph"/> to <see cref="ClassifierGraph.LogitsOutput"/>, drop the intermediate columns.
    /// </summary>
    public static IEstimator<ITransformer> ImageToLogits(MLContext ml, BackboneDescription backbone, string pathColumn, string imageColumn, byte[] graph) =>
        ml.Transforms.LoadImages(imageColumn, imageFolder: null, pathColumn)
            .Append(AppendResizeAndExtract(ml, backbone, imageColumn))
            .Append(ml.Transforms.ApplyOnnxModel([ClassifierGraph.LogitsOutput], [ClassifierGraph.PixelsInput], new MemoryStream(graph)))
            .Append(ml.Transforms.DropColumns(imageColumn, ClassifierGraph.PixelsInput));

    public const string ImageColumn = "Image";

    /// <summary>Decodes <paramref name="encoded"/> and writes its pixels to <paramref name="destination"/>.</summary>
    public void Decode(byte[] encoded, Span<float> destination)
    {
        using var stream = new MemoryStream(encoded, writable: false);
        using var image = MLImage.CreateFromStream(stream);
        var row = _engine.Predict(new ImageRow { Image = image });
        if (row.Pixels.Length != Length)
            throw new InvalidOperationException($"Expected {Length} pixel values, got {row.Pixels.Length}.");
        row.Pixels.AsSpan().CopyTo(destination);
    }

    public void Dispose() => _engine.Dispose();

    private sealed class ImageRow
    {
        [ImageType(1, 1)] // a placeholder size: ResizeImages reads the real size from each image
        public MLImage? Image { get; set; }
    }

    private sealed class PixelRow
    {
        public float[] Pixels { get; set; } = [];
    }
}
