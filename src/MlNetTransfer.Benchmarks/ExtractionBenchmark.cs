using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Model;
using MlNetTransfer.Training;

namespace MlNetTransfer.Benchmarks;

/// <summary>
/// Measures, in one process and side by side, the feature-extraction paths and the prediction latency that docs/performance.md
/// compares: the raw network, this project's extraction, ML.NET's canonical featurizer pipeline, head training, and
/// single-image prediction through the saved model.
/// </summary>
public static class ExtractionBenchmark
{
    /// <summary>Runs every measurement on up to <paramref name="images"/> images of <paramref name="folder"/> (cycled when it has fewer).</summary>
    /// <remarks>
    /// On <see cref="ExtractorOptions.Device"/> cuda, (a) and (b) run the network on the GPU and (c) asks ML.NET for the GPU too;
    /// head training and the single-image latency stay on the CPU, where the saved model runs in an app.
    /// </remarks>
    /// <param name="extractorOptions">(b)'s settings (batch size, threads, device); (a) and (c) take its batch size and device.</param>
    public static BenchmarkReport Run(string folder, int images = 500, int repeats = 3, ExtractorOptions? extractorOptions = null, IProgress<string>? progress = null)
    {
        extractorOptions ??= new ExtractorOptions();
        int batchSize = extractorOptions.BatchSize;
        var device = extractorOptions.Device;
        var files = ImageDataset.ImageFilesUnder(folder).Where(f => ImageCheck.Problem(File.ReadAllBytes(f)) is null).ToList();
        if (files.Count == 0) throw new DatasetException($"No usable images under {folder}.");
        // A folder smaller than the requested count is cycled through copies, so every image is real decoding work.
        var paths = Enumerable.Range(0, images).Select(i => i < files.Count ? files[i] : CopyFor(files[i % files.Count], i)).ToList();
        var backbone = BackboneRegistry.Get();

        // (a), (b) and (c) take turns, one run each per round after a warm-up round (JIT, sessions, file cache), so a
        // shared machine's slow minutes fall on all three alike; ratios are taken within each round.
        progress?.Report("(a) raw network, (b) extraction, (c) ML.NET canonical pipeline, in turns");
        // (b)'s first run comes before anything else loads ONNX Runtime or a session, as in a fresh `train` or
        // `extract`: its figure includes all of that. Its later runs, like (a) and (c), have their sessions loaded.
        using var extractor = new FeatureExtractor(backbone, extractorOptions);
        ExtractionResult extracted = null!, extractedInt8 = null!;
        double ExtractOnce() => ImagesPerSecond(paths.Count, () => extracted = extractor.Extract(paths));
        double firstExtraction = ExtractOnce();
        using var rawNetwork = new FeatureNetwork(backbone, Environment.ProcessorCount, device);
        NetworkClock.RawImagesPerSecond(rawNetwork, paths.Count, batchSize);
        MlNetCanonical(paths, device);
        // (f) holds the encoded bytes in memory: each distinct photo once (copies would only repeat them), at most 1,000.
        var decoding = new DecodingClock(backbone, files.Take(Math.Min(paths.Count, 1000)).ToList());
        // int8: the same network quantized, calibrated as train does (128 of the photos, spread), measured in the same
        // rounds; always on the CPU, whose integer kernels it is made for.
        progress?.Report("int8 calibration");
        var calibrationImages = MlNetTransfer.Data.LabelledImage.Spread(files, Int8Backbones.CalibrationImages).Select(File.ReadAllBytes).ToList();
        var int8 = backbone with { Int8 = Int8Calibrator.Calibrate(backbone, calibrationImages, Backbones.Int8.ProcessorSupport.NeedsReducedRange) };
        using var rawInt8 = new FeatureNetwork(int8, Environment.ProcessorCount);
        using var int8Extractor = new FeatureExtractor(int8, extractorOptions with { Device = ComputeDevice.Cpu });
        double ExtractInt8() => ImagesPerSecond(paths.Count, () => extractedInt8 = int8Extractor.Extract(paths));
        ExtractInt8();
        NetworkClock.RawImagesPerSecond(rawInt8, paths.Count, batchSize);
        var rounds = Enumerable.Range(0, repeats).Select(_ =>
        {
            double a = NetworkClock.RawImagesPerSecond(rawNetwork, paths.Count, batchSize);
            double b = ExtractOnce();
            double c = MlNetCanonical(paths, device);
            double f = decoding.MillisecondsPerImage();
            double a8 = NetworkClock.RawImagesPerSecond(rawInt8, paths.Count, batchSize);
            double b8 = ExtractInt8();
            progress?.Report(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"round: a {a:F1}, b {b:F1}, c {c:F1} img/s, f {f:F2} ms; int8: a {a8:F1}, b {b8:F1} img/s"));
            return (a, b, c, f, a8, b8);
        }).ToList();
        var cosines = extracted.Features.Select(p => (double)System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(p.Value, extractedInt8.Features[p.Key])).ToList();
        var raw = new ThroughputResult("raw ONNX Runtime, pre-made tensors", rounds.Select(r => r.a).ToList());
        var extraction = new ThroughputResult("MlNetTransfer extraction, decode included, no cache", rounds.Select(r => r.b).ToList());
        var canonical = new ThroughputResult("ML.NET LoadImages/ResizeImages/ExtractPixels/DnnFeaturizeImage", rounds.Select(r => r.c).ToList());

        DeviceAgreement? agreement = null;
        if (device != ComputeDevice.Cpu)
        {
            progress?.Report("features on the GPU against the CPU");
            agreement = CompareWithCpu(backbone, paths.Distinct().Take(64).ToList(), extracted);
        }

        progress?.Report("(d) head training");
        var labels = paths.Select(p => Path.GetFileName(Path.GetDirectoryName(p)!)).ToList();
        var classNames = labels.Distinct().Order(StringComparer.Ordinal).ToList();
        if (classNames.Count < 2) classNames = ["a", "b"];
        var set = new FeatureSet(extracted.Features.Values.ToList(), Enumerable.Range(0, extracted.Features.Count).Select(i => i % classNames.Count).ToList());
        var options = new TrainingOptions { Patience = 0 };
        var headSeconds = Enumerable.Range(0, repeats).Select(_ => Time(() => HeadTrainer.Train(set, set, classNames.Count, options))).ToList();
        var big = new HeadTrainingBenchmark();
        var big10kSeconds = Enumerable.Range(0, repeats).Select(_ => big.Seconds()).ToList();

        progress?.Report("(e) single-image latency");
        var latency = Latency(backbone, classNames, paths.Distinct().Take(60).ToList(), repeats);

        return new BenchmarkReport
        {
            Folder = Path.GetFullPath(folder),
            Device = device,
            DecodeThreads = extractorOptions.ResolvedDecodeThreads,
            InferenceThreads = extractorOptions.ResolvedInferenceThreads,
            Agreement = agreement,
            Images = paths.Count,
            BatchSize = batchSize,
            Repeats = repeats,
            ProcessorCount = Environment.ProcessorCount,
            RawNetwork = raw,
            Extraction = extraction,
            FirstExtraction = firstExtraction,
            ExtractionOverRawByRound = rounds.Select(r => r.b / r.a).ToList(),
            ExtractionOverMlNetByRound = rounds.Select(r => r.b / r.c).ToList(),
            DecodeMillisecondsByRound = rounds.Select(r => r.f).ToList(),
            MlNetCanonical = canonical,
            HeadTrainingSeconds = ThroughputResult.MedianOf(headSeconds),
            HeadTrainingSamples = set.Count,
            HeadTrainingEpochs = options.Epochs,
            HeadTraining10kSeconds = ThroughputResult.MedianOf(big10kSeconds),
            ZipPrediction = latency.Zip,
            RawBatchOnePlusDecode = latency.Raw,
            ZipOverRawLatencyByRound = latency.RatioByRound,
            RawNetworkInt8 = new ThroughputResult("int8: raw ONNX Runtime, pre-made tensors", rounds.Select(r => r.a8).ToList()),
            ExtractionInt8 = new ThroughputResult("int8: MlNetTransfer extraction, decode included, no cache", rounds.Select(r => r.b8).ToList()),
            Int8OverFp32ByRound = rounds.Select(r => r.a8 / r.a).ToList(),
            ExtractionInt8OverRawFp32ByRound = rounds.Select(r => r.b8 / r.a).ToList(),
            Int8FeatureCosineMean = cosines.Average(),
            Int8FeatureCosineMin = cosines.Min(),
        };
    }

    private static readonly string CopyFolder = Path.Combine(Path.GetTempPath(), "mlnt-bench-" + Environment.ProcessId);

    private static string CopyFor(string path, int index)
    {
        Directory.CreateDirectory(CopyFolder);
        string copy = Path.Combine(CopyFolder, $"{index}{Path.GetExtension(path)}");
        File.Copy(path, copy, overwrite: true);
        return copy;
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    private static double ImagesPerSecond(int images, Action action) => images / Time(action);

    /// <summary>(f): decode + resize + planar pixels of every image once, bytes already in memory, on one thread.</summary>
    private sealed class DecodingClock(BackboneDescription backbone, IReadOnlyList<string> paths)
    {
        private readonly ImagePixels _decoder = new(backbone);
        private readonly List<byte[]> _encoded = paths.Select(File.ReadAllBytes).ToList();

        public double MillisecondsPerImage()
        {
            var pixels = new float[_decoder.Length];
            var clock = Stopwatch.StartNew();
            foreach (var bytes in _encoded) _decoder.Decode(bytes, pixels);
            return clock.Elapsed.TotalMilliseconds / _encoded.Count;
        }
    }

    private static DeviceAgreement CompareWithCpu(BackboneDescription backbone, IReadOnlyList<string> paths, ExtractionResult onDevice)
    {
        using var cpu = new FeatureExtractor(backbone, new ExtractorOptions { Device = ComputeDevice.Cpu });
        var reference = cpu.Extract(paths);
        double maxDifference = 0, maxMagnitude = 0;
        foreach (var (key, expected) in reference.Features)
        {
            var actual = onDevice.Features[key];
            for (int i = 0; i < expected.Length; i++)
            {
                maxDifference = Math.Max(maxDifference, Math.Abs(actual[i] - expected[i]));
                maxMagnitude = Math.Max(maxMagnitude, Math.Abs(expected[i]));
            }
        }
        return new DeviceAgreement(reference.Features.Count, maxDifference, maxMagnitude);
    }

    private static double MlNetCanonical(IReadOnlyList<string> paths, ComputeDevice device)
    {
        // ML.NET's own switch for its ONNX transforms; FallbackToCpu keeps (c) measurable where its GPU path fails.
        var ml = new MLContext(seed: 0) { GpuDeviceId = device == ComputeDevice.Cuda ? 0 : null, FallbackToCpu = true };
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { ImagePath = p }));
        var pipeline = ml.Transforms.LoadImages("ImageObject", null, nameof(PathRow.ImagePath))
            .Append(ml.Transforms.ResizeImages("ImageObject", 224, 224))
            .Append(ml.Transforms.ExtractPixels("Pixels", "ImageObject"))
            .Append(ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels"));
        var transformed = pipeline.Fit(data).Transform(data);
        var clock = Stopwatch.StartNew();
        using var cursor = transformed.GetRowCursor(transformed.Schema.Where(c => c.Name == "Features"));
        var getter = cursor.GetGetter<VBuffer<float>>(transformed.Schema["Features"]);
        VBuffer<float> value = default;
        int rows = 0;
        while (cursor.MoveNext()) { getter(ref value); rows++; }
        return rows / clock.Elapsed.TotalSeconds;
    }

    // The two take turns, a block of every image each per round, and the ratio is taken within a round: single
    // blocks measured one after the other gave zip/raw p50 ratios from 0.69 to 1.29 on this shared machine.
    private static (LatencyResult Zip, LatencyResult Raw, IReadOnlyList<double> RatioByRound) Latency(
        BackboneDescription backbone, IReadOnlyList<string> classes, IReadOnlyList<string> paths, int rounds)
    {
        var random = new SeededRandom(1);
        var layers = new List<DenseLayer> { new(backbone.FeatureSize, 256), new(256, classes.Count) };
        foreach (var l in layers) l.InitializeUniform(random);
        var head = new HeadWeights(new float[backbone.FeatureSize], Enumerable.Repeat(1f, backbone.FeatureSize).ToArray(), layers);
        string zipPath = Path.Combine(Path.GetTempPath(), $"mlnt-bench-{Environment.ProcessId}.zip");
        try
        {
            ModelWriter.Save(zipPath, backbone, head, classes);
            var ml = new MLContext(seed: 0);
            using var model = (IDisposable)ml.Model.Load(zipPath, out _); // deletes ML.NET's temp copy of the graph
            var engine = ml.Model.CreatePredictionEngine<PathRow, ScoreRow>((ITransformer)model);
            using var network = new FeatureNetwork(backbone, Environment.ProcessorCount);
            var decoder = new ImagePixels(backbone);
            var pixels = new float[network.PixelLength];
            var features = new float[backbone.FeatureSize];
            void Zip(string p) => engine.Predict(new PathRow { ImagePath = p });
            void Raw(string p)
            {
                decoder.Decode(File.ReadAllBytes(p), pixels);
                network.Run(pixels, 1, features);
            }

            foreach (var p in paths.Take(5)) { Zip(p); Raw(p); } // warm-up
            var zipTimes = new List<double>();
            var rawTimes = new List<double>();
            var ratios = new List<double>();
            for (int round = 0; round < Math.Max(1, rounds); round++)
            {
                var zip = Milliseconds(paths, Zip);
                var raw = Milliseconds(paths, Raw);
                ratios.Add(ThroughputResult.MedianOf(zip) / ThroughputResult.MedianOf(raw));
                zipTimes.AddRange(zip);
                rawTimes.AddRange(raw);
            }
            return (Percentiles("model.zip PredictionEngine, one image", zipTimes), Percentiles("decode + ONNX Runtime batch 1", rawTimes), ratios);
        }
        finally
        {
            File.Delete(zipPath);
            if (Directory.Exists(CopyFolder)) Directory.Delete(CopyFolder, true);
        }
    }

    private static List<double> Milliseconds(IReadOnlyList<string> paths, Action<string> predict) => paths.Select(p =>
    {
        var clock = Stopwatch.StartNew();
        predict(p);
        return clock.Elapsed.TotalMilliseconds;
    }).ToList();

    private static LatencyResult Percentiles(string name, List<double> times) =>
        new(name, NetworkClock.Percentile(times, 0.5), NetworkClock.Percentile(times, 0.9), times.Count);

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }

    private sealed class ScoreRow
    {
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }
}
