using Microsoft.ML;
using Microsoft.ML.Transforms.Image;
using MlNetTransfer.Backbones;

namespace MlNetTransfer.Model;

/// <summary>
/// The saved model's front, in stock ML.NET transforms: load the image, resize it as the backbone wants, extract
/// planar RGB pixels, run the classifier graph. <see cref="Data.ImagePixels"/> is pinned by a test to give the same pixels.
/// </summary>
internal static class ModelFront
{
    /// <summary>The image column inside the pipeline: a name of its own, so a user's "Image" column (LoadRawImageBytes' usual name) is left alone.</summary>
    public const string ImageColumn = "__MlNetTransfer_Image";

    /// <summary>The resize and pixel extraction of the saved model: the definition the fast path must match.</summary>
    public static IEstimator<ITransformer> ResizeAndExtract(MLContext ml, BackboneDescription backbone, string imageColumn)
    {
        var kind = backbone.Resize == ResizeMode.Stretch
            ? ImageResizingEstimator.ResizingKind.Fill
            : ImageResizingEstimator.ResizingKind.IsoCrop;
        return ml.Transforms.ResizeImages(imageColumn, backbone.DecodedSize, backbone.DecodedSize, imageColumn, kind, ImageResizingEstimator.Anchor.Center)
            .Append(ml.Transforms.ExtractPixels(FeatureGraph.PixelsInput, imageColumn));
    }

    /// <summary>
    /// Image file path at <paramref name="pathColumn"/> → resize → pixels → <paramref name="graph"/> →
    /// <see cref="ClassifierGraph.LogitsOutput"/>; the intermediate columns are dropped.
    /// </summary>
    public static IEstimator<ITransformer> PathToLogits(MLContext ml, BackboneDescription backbone, string pathColumn, byte[] graph) =>
        ml.Transforms.LoadImages(ImageColumn, imageFolder: null, pathColumn)
            .Append(ResizeAndExtract(ml, backbone, ImageColumn))
            .Append(ml.Transforms.ApplyOnnxModel([ClassifierGraph.LogitsOutput], [FeatureGraph.PixelsInput], new MemoryStream(graph)))
            .Append(ml.Transforms.DropColumns(ImageColumn, FeatureGraph.PixelsInput));
}
