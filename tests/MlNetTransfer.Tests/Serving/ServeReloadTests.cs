using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlNetTransfer.Backbones;
using MlNetTransfer.Model;
using MlNetTransfer.Tests.Support;
using MlNetTransfer.Training;
using Xunit.Abstractions;

namespace MlNetTransfer.Tests.Serving;

/// <summary>A real serve process under load while its model file is replaced as deployments do it (written beside it, renamed over it).</summary>
[Trait("Category", "Slow")]
public class ServeReloadTests(ITestOutputHelper output)
{
    private static readonly byte[] Image = File.ReadAllBytes(Path.Combine(RepoPaths.Root, "tests", "MlNetTransfer.Tests", "Fixtures", "models-0.2.0", "images", "circle0.png"));

    // Three models told apart by their classes (each answers its first class), and a broken file between two of them.
    // 8 clients post without pause the whole time: none fails; each good file answers within 5 s of its rename and
    // /healthz names its SHA-256; once a request got the new model's answer, every request started after it does too;
    // the broken file is logged and leaves the model before it serving, /healthz saying Degraded.
    [Fact]
    public async Task AReplacedModelIsServedWithinSecondsAndNoRequestFailsMeanwhile()
    {
        using var dir = new TempDir();
        TinyClassifier.Write(dir.Combine("tiny.onnx"));
        var backbone = CustomBackbone.Describe(dir.Combine("tiny.onnx"));
        string Model(string name, params string[] classes)
        {
            var layer = new DenseLayer(TinyClassifier.Channels, classes.Length);
            layer.Bias[0] = 5f; // every image gets the first class
            ModelWriter.Save(dir.Combine(name), backbone, new HeadWeights(new float[TinyClassifier.Channels], Enumerable.Repeat(1f, TinyClassifier.Channels).ToArray(), [layer]), classes);
            return dir.Combine(name);
        }
        string first = Model("first.zip", "ant", "bee"), second = Model("second.zip", "cat", "dog"), third = Model("third.zip", "fir", "oak");
        string broken = dir.Combine("broken.zip");
        File.WriteAllBytes(broken, File.ReadAllBytes(second)[..4096]);
        Directory.CreateDirectory(dir.Combine("served"));
        string served = dir.Combine("served", "model.zip");
        File.Copy(first, served);

        using var serve = Process.Start(CliProcess.StartInfo("serve", "--model", served, "--urls", "http://127.0.0.1:0"))!;
        var log = new ConcurrentQueue<string>();
        serve.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        serve.BeginErrorReadLine();
        using var stop = new CancellationTokenSource();
        try
        {
            string port = Regex.Match(serve.StandardOutput.ReadLine() ?? "", @":(\d+)\s*\(").Groups[1].Value;
            Assert.False(string.IsNullOrEmpty(port), string.Join("\n", log));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            var clock = Stopwatch.StartNew();
            var answers = new ConcurrentQueue<(TimeSpan Start, string Label)>();
            var failures = new ConcurrentQueue<string>();
            var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var start = clock.Elapsed;
                    try { answers.Enqueue((start, await Predict(http))); }
                    catch (Exception e) { failures.Enqueue(e.Message); }
                }
            })).ToList();

            // When the file was renamed, and when the new model's answer was first seen.
            async Task<(TimeSpan Renamed, TimeSpan Seen)> Replace(string with, string expectedLabel)
            {
                File.Copy(with, dir.Combine("served", "model.zip.new"), overwrite: true);
                File.Move(dir.Combine("served", "model.zip.new"), served, overwrite: true);
                var renamed = clock.Elapsed;
                while (await Predict(http) != expectedLabel)
                    Assert.True(clock.Elapsed - renamed < TimeSpan.FromSeconds(5), $"{Path.GetFileName(with)} is not served 5 s after its rename:\n{string.Join("\n", log)}");
                return (renamed, clock.Elapsed);
            }
            async Task<JsonNode> Health() => JsonNode.Parse(await http.GetStringAsync("/healthz"))!;
            void EveryRequestStartedBetween(TimeSpan from, TimeSpan to, string label) =>
                Assert.All(answers.Where(a => a.Start > from && a.Start < to), a => Assert.Equal(label, a.Label));

            Assert.Equal("ant", await Predict(http));
            await Task.Delay(1000); // the clients under way

            var toSecond = await Replace(second, "cat");
            Assert.Equal(Sha256(second), (string?)(await Health())["model"]!["sha256"]);

            File.Copy(broken, dir.Combine("served", "model.zip.new"), overwrite: true);
            File.Move(dir.Combine("served", "model.zip.new"), served, overwrite: true);
            var brokenAt = clock.Elapsed;
            while (!log.Any(l => l.Contains("did not load")))
            {
                Assert.True(clock.Elapsed - brokenAt < TimeSpan.FromSeconds(5), $"the broken file's failure was not logged:\n{string.Join("\n", log)}");
                await Task.Delay(100);
            }
            var health = await Health();
            Assert.Equal("Degraded", (string?)health["status"]);
            Assert.Equal(Sha256(second), (string?)health["model"]!["sha256"]);
            Assert.Equal("cat", await Predict(http));

            var toThird = await Replace(third, "fir");
            health = await Health();
            Assert.Equal("Healthy", (string?)health["status"]);
            Assert.Equal(Sha256(third), (string?)health["model"]!["sha256"]);
            await Task.Delay(500);

            stop.Cancel();
            await Task.WhenAll(clients);
            Assert.True(failures.IsEmpty, $"{failures.Count} failed requests, e.g. {failures.FirstOrDefault()}");
            Assert.True(answers.Count > 100, $"only {answers.Count} requests");
            Assert.All(answers, a => Assert.Contains(a.Label, new[] { "ant", "cat", "fir" }));
            EveryRequestStartedBetween(toSecond.Seen, toThird.Renamed, "cat");
            EveryRequestStartedBetween(toThird.Seen, TimeSpan.MaxValue, "fir");
            output.WriteLine($"{answers.Count} requests by 8 clients, 0 failed; the new model answered {(toSecond.Seen - toSecond.Renamed).TotalSeconds:F2} s and {(toThird.Seen - toThird.Renamed).TotalSeconds:F2} s after the renames");
        }
        finally
        {
            stop.Cancel();
            if (!serve.HasExited) serve.Kill(entireProcessTree: true);
            serve.WaitForExit(10_000);
        }
    }

    private static async Task<string> Predict(HttpClient http)
    {
        var content = new ByteArrayContent(Image);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var response = await http.PostAsync("/predict", content);
        string body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{(int)response.StatusCode}: {body}");
        return (string)JsonNode.Parse(body)!["predictedLabel"]!;
    }

    private static string Sha256(string file) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)));
}
