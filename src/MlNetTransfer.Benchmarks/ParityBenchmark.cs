using System.Numerics.Tensors;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Model;

namespace MlNetTransfer.Benchmarks;

/// <summary>How the app's model.zip (ML.NET's LoadImages: whole-image decode) and the tool's fast path (shrink-on-load) agree.</summary>
public sealed record ParityReport
{
    public required int Images { get; init; }
    /// <summary>Images the fast path decoded at a DCT scale (the others it decodes exactly as LoadImages does).</summary>
    public required int Shrunk { get; init; }
    /// <summary>Cosine similarity of the fast path's features to the whole-image decode's, over the shrunk images.</summary>
    public required double MeanFeatureCosine { get; init; }
    public required double MinFeatureCosine { get; init; }
    /// <summary>Largest |probability difference| between model.zip's PredictionEngine and ImagePredictor, over all images and over the unshrunk ones.</summary>
    public required double MaxProbabilityDifference { get; init; }
    public required double MaxProbabilityDifferenceUnshrunk { get; init; }
    /// <summary>Share of images where both give the same label.</summary>
    public required double Top1Agreement { get; init; }
    /// <summary>Accuracy through model.zip and through the fast path, when the folder's sub-folders are the model's classes; else null.</summary>
    public double? ZipAccuracy { get; init; }
    public double? FastAccuracy { get; init; }
}

/// <summary>Measures <see cref="ParityReport"/> on a folder of images (labelled by sub-folder when its sub-folders are the model's classes).</summary>
public static class ParityBenchmark
{
    public static ParityReport Run(string modelPath, string folder, int maxImages = 500)
    {
        var files = ImageDataset.ImageFilesUnder(folder).Where(f => ImageCheck.Problem(File.ReadAllBytes(f)) is null).Take(maxImages).ToList();
        if (files.Count == 0) throw new DatasetException($"No usable images under {folder}.");
        using var zip = TrainedModel.Load(modelPath);
        using var fast = new ImagePredictor(modelPath);
        var backbone = zip.File.Backbone();
        using var network = new FeatureNetwork(backbone, Environment.ProcessorCount);
        var shrinking = new ImagePixels(backbone);
        var whole = new ImagePixels(backbone, shrinkFloor: 0);
        float[] Features(ImagePixels pixels, byte[] bytes)
        {
            var input = new float[pixels.Length];
            pixels.Decode(bytes, input);
            var features = new float[backbone.FeatureSize];
            network.Run(input, 1, features);
            return features;
        }

        var cosines = new List<double>();
        double maxDifference = 0, maxUnshrunk = 0;
        int agree = 0, zipRight = 0, fastRight = 0, labelled = 0;
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            bool shrunk;
            using (var bitmap = ShrinkOnLoad.Decode(bytes)) shrunk = bitmap is not null;
            if (shrunk) cosines.Add(TensorPrimitives.CosineSimilarity(Features(shrinking, bytes), Features(whole, bytes)));
            var a = zip.Predict(file);
            var b = fast.Predict(bytes, file);
            double difference = a.Scores.Zip(b.Scores).Max(p => Math.Abs(p.First - p.Second));
            maxDifference = Math.Max(maxDifference, difference);
            if (!shrunk) maxUnshrunk = Math.Max(maxUnshrunk, difference);
            if (a.PredictedLabel == b.PredictedLabel) agree++;
            string folderName = Path.GetFileName(Path.GetDirectoryName(file)!);
            if (zip.Classes.Contains(folderName))
            {
                labelled++;
                if (a.PredictedLabel == folderName) zipRight++;
                if (b.PredictedLabel == folderName) fastRight++;
            }
        }
        return new ParityReport
        {
            Images = files.Count,
            Shrunk = cosines.Count,
            MeanFeatureCosine = cosines.Count == 0 ? 1 : cosines.Average(),
            MinFeatureCosine = cosines.Count == 0 ? 1 : cosines.Min(),
            MaxProbabilityDifference = maxDifference,
            MaxProbabilityDifferenceUnshrunk = maxUnshrunk,
            Top1Agreement = (double)agree / files.Count,
            ZipAccuracy = labelled == files.Count ? (double)zipRight / labelled : null,
            FastAccuracy = labelled == files.Count ? (double)fastRight / labelled : null,
        };
    }
}
