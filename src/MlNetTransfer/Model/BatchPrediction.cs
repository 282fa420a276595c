using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Training;

namespace MlNetTransfer.Model;

/// <summary>
/// Predictions for many images at once, by the model's own graph: its feature part through the batched, cached
/// extraction training uses (cached under the part's hash), then its head.
/// </summary>
internal static class BatchPrediction
{
    public static (IReadOnlyList<Prediction> Predictions, IReadOnlyList<SkippedImage> Skipped) Run(ModelFile model, IEnumerable<string> paths,
        string? cacheFolder, ComputeDevice device, IProgress<ExtractionProgress>? progress, CancellationToken cancel)
    {
        var backbone = model.Backbone();
        // An int8 model's graph runs on the CPU's integer kernels; on a GPU it would run in float between its quantize
        // steps and give other features than training measured, so it is refused before anything is loaded.
        if (backbone.Int8 is not null && device != ComputeDevice.Cpu)
            throw new MlNetTransferException($"An Int8 model runs on the CPU's integer kernels: use it with the Cpu device ({device} was asked).", ExtractorOptions.DeviceSetting);
        var graph = model.Graph();
        var featuresPart = graph.FeaturesPart();
        var cache = FeatureCache.ForGraph(featuresPart, backbone, cacheFolder);
        using var extractor = new FeatureExtractor(backbone, featuresPart, new ExtractorOptions { Device = device }, cache);
        var ordered = paths.Distinct(StringComparer.Ordinal).ToList();
        var extraction = extractor.Extract(ordered, progress, cancel);
        var usable = ordered.Where(extraction.Features.ContainsKey).ToList();
        var answers = HeadAnswers(graph, usable.Select(p => extraction.Features[p]).ToList());
        return (usable.Select((path, i) => Prediction.FromAnswer(path, model.Classes, answers[i])).ToList(), extraction.Skipped);
    }

    private static float[][] HeadAnswers(SavedGraph graph, IReadOnlyList<float[]> features)
    {
        if (features.Count == 0) return [];
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(graph.HeadPart());
        var input = features.SelectMany(f => f).ToArray();
        using var tensor = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(input, [features.Count, graph.FeatureSize]);
        using var run = new Microsoft.ML.OnnxRuntime.RunOptions();
        using var results = session.Run(run, [Backbones.FeatureGraph.FeaturesOutput], [tensor], [SavedGraph.AnswerOutput]);
        var all = results[0].GetTensorDataAsSpan<float>();
        var answers = new float[features.Count][];
        for (int i = 0; i < answers.Length; i++)
            answers[i] = all.Slice(i * graph.AnswerSize, graph.AnswerSize).ToArray();
        return answers;
    }
}
