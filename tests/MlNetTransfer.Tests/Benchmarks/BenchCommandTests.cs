using System.Text.Json;
using MlNetTransfer.Cli;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Benchmarks;

/// <summary>The bench command end to end on a few images: every path measured, rounds kept, the JSON written.</summary>
public class BenchCommandTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void BenchMeasuresEveryPathInRoundsAndWritesTheJson()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("images"), perClass: 3, size: 80);

        var (code, output, error) = InProcessCli.Run("bench", "--data", dir.Combine("images"), "--images", "12", "--repeats", "2",
            "--decode-threads", "1", "--inference-threads", "1", "--json", dir.Combine("bench.json"));

        Assert.True(code == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(File.ReadAllText(dir.Combine("bench.json")));
        var root = json.RootElement;
        foreach (var path in new[] { "rawNetwork", "extraction", "mlNetCanonical" })
        {
            var rates = root.GetProperty(path).GetProperty("imagesPerSecond").EnumerateArray().Select(v => v.GetDouble()).ToList();
            Assert.Equal(2, rates.Count);
            Assert.All(rates, r => Assert.True(r > 0, $"{path}: {r}"));
        }
        Assert.Equal(2, root.GetProperty("extractionOverRawByRound").GetArrayLength());
        Assert.Equal(1, root.GetProperty("decodeThreads").GetInt32()); // (b) ran with the threads asked for
        Assert.Equal(1, root.GetProperty("inferenceThreads").GetInt32());
        Assert.True(root.GetProperty("firstExtraction").GetDouble() > 0);
        Assert.True(root.GetProperty("headTraining10kSeconds").GetDouble() > 0);
        Assert.True(root.GetProperty("zipPrediction").GetProperty("p50").GetDouble() > 0);
        var latencyRatios = root.GetProperty("zipOverRawLatencyByRound").EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.Equal(2, latencyRatios.Count); // (e) in rounds too
        Assert.Equal(latencyRatios.Average(), root.GetProperty("zipOverRawLatency").GetDouble(), 1e-9);
        Assert.Equal(2 * 12, root.GetProperty("zipPrediction").GetProperty("samples").GetInt32()); // the 12 images of each round, pooled
        Assert.Contains("b/a = ", output);
        // (f): decoding measured each round, and each round's shared-cores estimate derived from that round's (a) and (f).
        var rawRates = root.GetProperty("rawNetwork").GetProperty("imagesPerSecond").EnumerateArray().Select(v => v.GetDouble()).ToList();
        var decodes = root.GetProperty("decodeMillisecondsByRound").EnumerateArray().Select(v => v.GetDouble()).ToList();
        var ceilings = root.GetProperty("sharedCoresCeilingByRound").EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.Equal(2, decodes.Count);
        Assert.All(decodes, d => Assert.True(d > 0, $"decode {d}"));
        int cores = root.GetProperty("processorCount").GetInt32();
        for (int i = 0; i < 2; i++)
        {
            double network = cores * 1000.0 / rawRates[i];
            Assert.Equal(network / (network + decodes[i]), ceilings[i], 1e-9);
        }
        Assert.Equal((ceilings[0] + ceilings[1]) / 2, root.GetProperty("sharedCoresCeiling").GetDouble(), 1e-9);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("agreement").ValueKind); // compared only when the network ran on a GPU
        // int8 beside fp32 in the same rounds, with each round's ratio to that round's fp32 raw network, and feature agreement.
        var int8Raw = root.GetProperty("rawNetworkInt8").GetProperty("imagesPerSecond").EnumerateArray().Select(v => v.GetDouble()).ToList();
        var int8Ratios = root.GetProperty("int8OverFp32ByRound").EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.Equal(2, int8Raw.Count);
        Assert.Equal(2, root.GetProperty("extractionInt8").GetProperty("imagesPerSecond").GetArrayLength());
        for (int i = 0; i < 2; i++)
            Assert.Equal(int8Raw[i] / rawRates[i], int8Ratios[i], 1e-9);
        double cosineMean = root.GetProperty("int8FeatureCosineMean").GetDouble();
        Assert.InRange(root.GetProperty("int8FeatureCosineMin").GetDouble(), 0.95, cosineMean);
        Assert.InRange(cosineMean, 0.98, 1.0 + 1e-6);
        Assert.Contains("int8 raw / fp32 raw = ", output);
    }

    // This build carries the CPU ONNX Runtime: bench on CUDA stops with the same one clear line as train.
    [Fact]
    public void BenchOnCudaWithoutTheGpuBuildIsAOneLineError()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("images"), perClass: 2, size: 80);

        var (code, _, error) = InProcessCli.Run("bench", "--data", dir.Combine("images"), "--images", "4", "--repeats", "1", "--device", "cuda", "--json", dir.Combine("bench.json"));

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("CUDA execution provider is not available", error);
        Assert.False(File.Exists(dir.Combine("bench.json")));
    }
}
