using System.Security.Cryptography;
using System.Text;
using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.IO;

namespace MlNetTransfer.Features;

/// <summary>
/// Every input that decides an image's features, named in one place: the network (its files, or a saved model's
/// feature graph), how pixels are made for it (view, sizes, normalisation, int8 calibration: the backbone's
/// preprocessing signature), the decoder, and the cache's entry layout; then, per entry, the image's bytes and, for an
/// augmented view, the transform and the view's number. Two extractions share a feature exactly when these are equal,
/// so a forgotten input cannot serve stale features: it would have to be left out here.
/// </summary>
internal sealed record FeatureKey(string Network, string Preprocessing)
{
    /// <summary>The key of <paramref name="backbone"/>'s features, its files hashed (remembered under <paramref name="memoFolder"/>).</summary>
    public static FeatureKey Of(BackboneDescription backbone, string? memoFolder = null) =>
        new(FileHashes.Of(new[] { backbone.ModelPath, backbone.PreprocessPath }.OfType<string>(), memoFolder), backbone.PreprocessingSignature);

    /// <summary>
    /// The key of the features a saved model's feature graph makes: the graph's own bytes (backbone, preprocessing and
    /// calibration are in them), and the pixels it is fed.
    /// </summary>
    public static FeatureKey OfGraph(byte[] featureGraph, BackboneDescription pixels) =>
        new("graph:" + Convert.ToHexStringLower(SHA256.HashData(featureGraph)), $"resize={pixels.Resize};side={pixels.DecodedSize}");

    /// <summary>The cache folder's name: the network, preprocessing, decoder and entry layout.</summary>
    public string Folder =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Network}|{Preprocessing}|{ImagePixels.DecoderSignature}|entries=v{FeatureCache.FormatVersion}")))[..32];

    /// <summary>An image's entry: its bytes' hash.</summary>
    public static string Entry(ReadOnlySpan<byte> imageBytes) => Convert.ToHexStringLower(SHA256.HashData(imageBytes));

    /// <summary>An augmented view's entry: the image's entry, the transform's settings and the view's number.</summary>
    public static string Entry(string imageEntry, ViewAugmentation augmentation, int view) =>
        Entry(Encoding.UTF8.GetBytes($"{imageEntry}|{augmentation.Signature}|{view}"));
}
