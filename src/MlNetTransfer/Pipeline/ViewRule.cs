using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using SkiaSharp;

namespace MlNetTransfer.Pipeline;

/// <summary>The view a run used, and why.</summary>
internal sealed record ViewChoiceReport(ImageView Chosen, string Reason);

/// <summary>
/// The default view, from the training images' shapes alone (their headers: no network, no second extraction).
/// Square images are usually cut to their subject already (pre-cropped sets, scans, thumbnails): IsoCrop shows all of
/// such an image, sharply resized. Photos of other shapes keep Crop, ImageNet's evaluation view, which drops the border.
/// Measured, 5 seeds each (docs/accuracy.md): ants/bees photos crop 0.9542 against isocrop 0.9516; the same photos cut
/// tight to their centre, 224×224, isocrop 0.9608 against crop 0.9556; 32×32 digits isocrop 0.9650 against crop 0.9578.
/// </summary>
internal static class ViewRule
{
    /// <summary>Images whose sides differ by at most this share count as square (a camera's 1:1 crop may be a pixel off).</summary>
    public const double SquareTolerance = 0.02;

    /// <summary>The share of square images from which a data set counts as one of square images.</summary>
    public const double SquareShare = 0.95;

    /// <summary>At most this many training images are looked at (spread over the set): enough to tell, and cheap on large sets.</summary>
    public const int Sample = 200;

    public static ViewChoiceReport Choose(IReadOnlyList<LabelledImage> training)
    {
        var sizes = LabelledImage.Spread(training, Sample).OrderBy(LabelledImage.ReadOrder).Select(SizeOf).OfType<SKSizeI>().ToList();
        if (sizes.Count == 0) return new(ImageView.Crop, "no training image could be read: crop, the default for photos");
        int square = sizes.Count(s => Math.Abs(s.Width - s.Height) <= SquareTolerance * Math.Max(s.Width, s.Height));
        double share = square / (double)sizes.Count;
        string counted = $"{square} of {sizes.Count} training images looked at are square";
        return share >= SquareShare
            ? new(ImageView.IsoCrop, $"{counted}, so each is seen whole")
            : new(ImageView.Crop, $"{counted}, so they are seen as photos");
    }

    // The header only; an unreadable image does not count (extraction reports it).
    private static SKSizeI? SizeOf(LabelledImage image)
    {
        try
        {
            using Stream stream = image.Row is null ? File.OpenRead(image.Path) : new MemoryStream(image.ReadBytes(), writable: false);
            using var codec = SKCodec.Create(stream);
            return codec is null ? null : codec.Info.Size;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
