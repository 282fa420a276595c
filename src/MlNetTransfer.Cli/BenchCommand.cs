using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MlNetTransfer.Benchmarks;
using MlNetTransfer.IO;

namespace MlNetTransfer.Cli;

internal static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var data = new Option<string>("--data") { Description = "Folder of images (read recursively).", Required = true };
        var images = new Option<int>("--images") { Description = "Images per measurement (the folder is cycled when smaller).", DefaultValueFactory = _ => 500 };
        var repeats = new Option<int>("--repeats") { Description = "Measured repeats of each path, after one warm-up; medians are reported.", DefaultValueFactory = _ => 3 };
        var batch = new Option<int>("--batch-size") { Description = "Images per network call.", DefaultValueFactory = _ => 16 };
        var device = CommonOptions.Device();
        device.Description = "Where (a), (b) and (c) run the network: cpu, or cuda (needs the GPU build of ONNX Runtime; see docs/deploying.md).";
        var decodeThreads = new Option<int>("--decode-threads") { Description = "(b)'s decoding threads; 0: one per core." };
        var inferenceThreads = new Option<int>("--inference-threads") { Description = "(b)'s ONNX Runtime threads; 0: one per core, as (a) always uses." };
        var json = new Option<string>("--json") { Description = "Where to write the figures as JSON.", DefaultValueFactory = _ => "bench.json" };
        var command = new Command("bench", "Measure feature extraction against the raw network and ML.NET's featurizer, head training, and prediction latency.")
        {
            data, images, repeats, batch, device, decodeThreads, inferenceThreads, json,
        };
        command.SetAction(parse => CommandRunner.Run(error, false, () =>
        {
            var progress = new SyncProgress<string>(step => output.WriteLine($"measuring {step} ..."));
            var extraction = new Features.ExtractorOptions
            {
                BatchSize = parse.GetValue(batch),
                Device = parse.GetValue(device),
                DecodeThreads = parse.GetValue(decodeThreads),
                InferenceThreads = parse.GetValue(inferenceThreads),
            };
            var r = ExtractionBenchmark.Run(parse.GetValue(data)!, parse.GetValue(images), parse.GetValue(repeats), extraction, progress);
            var inv = CultureInfo.InvariantCulture;
            output.WriteLine();
            output.WriteLine(string.Format(inv, "{0} images, batch {1}, {2} cores, network on {3}, median of {4} rounds; (b): {5} decoding, {6} network threads",
                r.Images, r.BatchSize, r.ProcessorCount, r.Device.ToString().ToLowerInvariant(), r.Repeats, r.DecodeThreads, r.InferenceThreads));
            foreach (var t in new[] { r.RawNetwork, r.Extraction, r.MlNetCanonical })
                output.WriteLine(string.Format(inv, "  {0,-66} {1,7:F1} img/s   [{2}]", t.Name, t.Median, string.Join(", ", t.ImagesPerSecond.Select(v => v.ToString("F1", inv)))));
            output.WriteLine(string.Format(inv, "  (b) first run, before any session was loaded (as in a fresh process): {0:F1} img/s = {1:F3} x (a)", r.FirstExtraction, r.FirstExtraction / r.RawNetwork.Median));
            output.WriteLine(string.Format(inv, "  b/a = {0:F3} [{1}]   b/c = {2:F2} [{3}]   (medians of the rounds' ratios)", r.ExtractionOverRaw,
                string.Join(", ", r.ExtractionOverRawByRound.Select(v => v.ToString("F3", inv))), r.ExtractionOverMlNet,
                string.Join(", ", r.ExtractionOverMlNetByRound.Select(v => v.ToString("F2", inv)))));
            output.WriteLine(string.Format(inv, "  (f) decode + resize + pixels, one thread: {0:F2} ms/image [{1}]; the network at (a): {2:F1} core-ms/image",
                r.DecodeMillisecondsPerImage, string.Join(", ", r.DecodeMillisecondsByRound.Select(v => v.ToString("F2", inv))), r.NetworkCoreMillisecondsPerImage));
            if (r.SharedCoresCeiling is { } ceiling)
                output.WriteLine(string.Format(inv, "  b/a if decoding's core time comes off the network's, a / (a + f) in core time: {0:F3} [{1}]",
                    ceiling, string.Join(", ", r.SharedCoresCeilingByRound.Select(v => v.ToString("F3", inv)))));
            if (r.Agreement is { } agree)
                output.WriteLine(string.Format(inv, "  {0} images' features, {1} against cpu: max |difference| {2:G3} (largest feature {3:G3})",
                    agree.Images, r.Device.ToString().ToLowerInvariant(), agree.MaxAbsDifference, agree.MaxAbsFeature));
            foreach (var t in new[] { r.RawNetworkInt8, r.ExtractionInt8 })
                output.WriteLine(string.Format(inv, "  {0,-66} {1,7:F1} img/s   [{2}]", t.Name, t.Median, string.Join(", ", t.ImagesPerSecond.Select(v => v.ToString("F1", inv)))));
            output.WriteLine(string.Format(inv, "  int8 raw / fp32 raw = {0:F2} [{1}]   int8 extraction / fp32 raw = {2:F2} [{3}]   feature cosine to fp32: mean {4:F5}, min {5:F5}",
                r.Int8OverFp32, string.Join(", ", r.Int8OverFp32ByRound.Select(v => v.ToString("F2", inv))), r.ExtractionInt8OverRawFp32,
                string.Join(", ", r.ExtractionInt8OverRawFp32ByRound.Select(v => v.ToString("F2", inv))), r.Int8FeatureCosineMean, r.Int8FeatureCosineMin));
            output.WriteLine(string.Format(inv, "  head training, {0} samples x {1} epochs (default head): {2:F2} s", r.HeadTrainingSamples, r.HeadTrainingEpochs, r.HeadTrainingSeconds));
            output.WriteLine(string.Format(inv, "  head training, 10,000 x 512, 30 epochs (default head):      {0:F2} s", r.HeadTraining10kSeconds));
            foreach (var l in new[] { r.ZipPrediction, r.RawBatchOnePlusDecode })
                output.WriteLine(string.Format(inv, "  {0,-40} p50 {1,6:F1} ms   p90 {2,6:F1} ms", l.Name, l.P50, l.P90));
            output.WriteLine(string.Format(inv, "  zip p50 / (raw batch-1 + decode) p50 = {0:F3} [{1}]   (median of the rounds' ratios)", r.ZipOverRawLatency,
                string.Join(", ", r.ZipOverRawLatencyByRound.Select(v => v.ToString("F3", inv)))));
            File.WriteAllText(parse.GetValue(json)!, JsonSerializer.Serialize(r, Json.Options));
            output.WriteLine($"Wrote {Path.GetFullPath(parse.GetValue(json)!)}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
