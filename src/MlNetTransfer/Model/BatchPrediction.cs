using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Training;

namespace MlNetTransfer.Model;

/// <summary>
/// Predictions for many images at once: features through the same batched, cached extraction as training, then the
/// model's stored head. Agrees with the .zip's PredictionEngine within 1e-4 (tested).
/// </summary>
internal static class BatchPrediction
{
    public static (IReadOnlyList<Prediction> Predictions, IReadOnlyList<SkippedImage> Skipped) Run(ModelFile model, IEnumerable<string> paths,
        string? cacheFolder, ComputeDevice device, IProgress<ExtractionProgress>? progress, CancellationToken cancel)
    {
        var backbone = model.Backbone();
        // An int8 model's graph runs on the CPU's integer kernels; on a GPU it would run in float between its quantize
        // steps and give other features than training measured, so it is refused before anything is loaded.
        if (backbone.Int8 is not null) Int8Backbones.EnsureSupported(backbone, device);
        var options = new ExtractorOptions { Cache = FeatureCache.For(backbone, cacheFolder), Device = device };
        using var extractor = new FeatureExtractor(backbone, options);
        var ordered = paths.Distinct(StringComparer.Ordinal).ToList();
        var extraction = extractor.Extract(ordered, progress, cancel);
        var usable = ordered.Where(extraction.Features.ContainsKey).ToList();
        var probabilities = HeadTrainer.Predict(model.Head, new FeatureSet(usable.Select(p => extraction.Features[p]).ToList(), new int[usable.Count])); // labels unused
        return (usable.Select((path, i) => Prediction.FromScores(path, model.Classes, probabilities[i])).ToList(), extraction.Skipped);
    }
}
