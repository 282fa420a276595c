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
    /// Image file path at <paramref name="pathColumn"/> → resize → pixels → the graph at <paramref name="graphPath"/> →
    /// <see cref="ClassifierGraph.LogitsOutput"/>; the intermediate columns are dropped.
    /// </summary>
    public static IEstimator<ITransformer> PathToLogits(MLContext ml, BackboneDescription backbone, string pathColumn, string graphPath, bool novelty = false) =>
        ml.Transforms.LoadImages(ImageColumn, imageFolder: null, pathColumn)
            .Append(ImageToLogits(ml, backbone, graphPath, novelty, ImageColumn, FeatureGraph.PixelsInput));

    /// <summary>
    /// Encoded image bytes at <paramref name="bytesColumn"/> → decoded (<see cref="ImageBytesDecoding"/>) → the same
    /// resize, pixels and graph as <see cref="PathToLogits"/> → <see cref="ClassifierGraph.LogitsOutput"/>.
    /// </summary>
    public static IEstimator<ITransformer> BytesToLogits(MLContext ml, BackboneDescription backbone, string bytesColumn, string graphPath, bool novelty = false) =>
        ml.Transforms.CopyColumns(ImageBytesDecoding.BytesColumn, bytesColumn)
            .Append(ml.Transforms.CustomMapping(new ImageBytesDecoding().GetMapping(), ImageBytesDecoding.ContractName))
            .Append(ImageToLogits(ml, backbone, graphPath, novelty, ImageColumn, FeatureGraph.PixelsInput, ImageBytesDecoding.BytesColumn));

    /// <summary>
    /// The model's front for <paramref name="input"/>: its column of paths or of bytes → logits and, with
    /// <paramref name="novelty"/>, the graph's Novelty and Unknown columns (vectors of one value: ML.NET's ONNX
    /// transformer outputs vectors). The graph is read from a file (<see cref="GraphFile"/> says why).
    /// </summary>
    public static IEstimator<ITransformer> InputToLogits(MLContext ml, BackboneDescription backbone, ModelInput input, string graphPath, bool novelty = false) =>
        input.Kind == ImageInputKind.Bytes ? BytesToLogits(ml, backbone, input.Column, graphPath, novelty) : PathToLogits(ml, backbone, input.Column, graphPath, novelty);

    private static IEstimator<ITransformer> ImageToLogits(MLContext ml, BackboneDescription backbone, string graphPath, bool novelty, params string[] dropAfter) =>
        ResizeAndExtract(ml, backbone, ImageColumn)
            .Append(ml.Transforms.ApplyOnnxModel(
                novelty ? [ClassifierGraph.LogitsOutput, Confidence.NoveltyDetector.NoveltyOutput, Confidence.NoveltyDetector.UnknownOutput] : [ClassifierGraph.LogitsOutput],
                [FeatureGraph.PixelsInput], graphPath))
            .Append(ml.Transforms.DropColumns(dropAfter));
}
