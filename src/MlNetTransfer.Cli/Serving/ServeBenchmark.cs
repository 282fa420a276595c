using MlNetTransfer.Benchmarks;
using System.Diagnostics;
using System.Net.Http.Headers;
using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Model;

namespace MlNetTransfer.Cli.Serving;

/// <summary>One round of <see cref="ServeBenchmark"/>: every figure measured back to back, so that ratios are taken within it.</summary>
internal sealed record ServeRound(double RawNetwork, double PredictorP50, double OneClientP50, double Throughput, double P50, double P99, int Failed)
{
    public double ThroughputOverRaw => Throughput / RawNetwork;
    public double OneClientOverPredictor => OneClientP50 / PredictorP50;
}

/// <summary>
/// serve measured against the network it runs: in rounds, (a) the raw ONNX Runtime network on pre-made tensors
/// (batch 16), the thread-safe ImagePredictor's single-image latency, one HTTP client's latency, and many clients at
/// once (throughput, p50, p99, failures), all in one process on loopback, after one unmeasured load.
/// </summary>
internal static class ServeBenchmark
{
    public static IReadOnlyList<ServeRound> Run(string modelPath, string folder, int clients, int requests, int rounds, IProgress<string>? progress)
    {
        var photos = ImageDataset.ImageFilesUnder(folder).Select(File.ReadAllBytes).Where(b => ImageCheck.Problem(b) is null).Take(200).ToList();
        if (photos.Count == 0) throw new DatasetException($"No usable images under {folder}.");
        var graph = ModelFile.Read(modelPath).Graph(); // the model's own feature part: its backbone's files need not be here
        using var network = new FeatureNetwork(graph.FeaturesPart(), graph.Side, FeatureGraph.FeaturesOutput, graph.FeatureSize, Environment.ProcessorCount);
        using var predictor = new ImagePredictor(modelPath);
        using var app = ServeApp.Build(new ServeOptions { ModelPath = modelPath, Urls = "http://127.0.0.1:0" });
        app.StartAsync().GetAwaiter().GetResult();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(2) };
        var sample = photos.Take(40).ToList();
        // Warm-up: one whole load, unmeasured, as in every round below. A first load runs before the JIT has optimised
        // the request path and while the thread pool grows: it measured about 0.1 below the rounds after it.
        foreach (var photo in sample.Take(5)) predictor.Predict(photo);
        Load(http, photos, clients, requests);
        var results = new List<ServeRound>();
        for (int round = 0; round < rounds; round++)
        {
            double raw = NetworkClock.RawImagesPerSecond(network, Math.Max(requests, 32)); // as many images as the load below
            double predictorP50 = NetworkClock.Percentile(sample.Select(p => Time(() => predictor.Predict(p))).ToList(), 0.5);
            double oneClientP50 = NetworkClock.Percentile(sample.Select(p => Time(() => Post(http, p).GetAwaiter().GetResult())).ToList(), 0.5);
            var (throughput, latencies, failed) = Load(http, photos, clients, requests);
            var r = new ServeRound(raw, predictorP50, oneClientP50, throughput, NetworkClock.Percentile(latencies, 0.5), NetworkClock.Percentile(latencies, 0.99), failed);
            progress?.Report(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"round {round + 1}: raw {r.RawNetwork:F1} img/s, {clients} clients {r.Throughput:F1} img/s ({r.ThroughputOverRaw:F2} x raw), p99 {r.P99:F0} ms, one client p50 {r.OneClientP50:F1} ms vs predictor {r.PredictorP50:F1} ms, {r.Failed} failed"));
            results.Add(r);
        }
        app.StopAsync().GetAwaiter().GetResult();
        return results;
    }

    private static (double Throughput, List<double> Latencies, int Failed) Load(HttpClient http, List<byte[]> photos, int clients, int requests)
    {
        var latencies = new List<double>();
        int failed = 0, next = -1;
        var clock = Stopwatch.StartNew();
        Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var one = Stopwatch.StartNew();
                bool ok = await Post(http, photos[i % photos.Count]);
                lock (latencies) latencies.Add(one.Elapsed.TotalMilliseconds);
                if (!ok) Interlocked.Increment(ref failed);
            }
        }))).GetAwaiter().GetResult();
        return (requests / clock.Elapsed.TotalSeconds, latencies, failed);
    }

    private static async Task<bool> Post(HttpClient http, byte[] photo)
    {
        var content = new ByteArrayContent(photo);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var response = await http.PostAsync("/predict", content);
        await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode;
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }
}
