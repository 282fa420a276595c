using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MlNetTransfer.Cli.Serving;
using MlNetTransfer.Tests.Model;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Serving;

/// <summary>serve's endpoints on loopback, with the model trained on data/sample.</summary>
[Trait("Category", "Slow")]
[Collection(TrainedRunCollection.Name)]
public class ServeTests(TrainedRunFixture run)
{
    private static async Task<(Microsoft.AspNetCore.Builder.WebApplication App, HttpClient Client)> StartAsync(string model, long maxBodyBytes = 20L << 20)
    {
        var app = ServeApp.Build(new ServeOptions { ModelPath = model, Urls = "http://127.0.0.1:0", MaxBodyBytes = maxBodyBytes });
        await app.StartAsync();
        return (app, new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) });
    }

    // The answer is the label and every class's probability in class order: predict's numbers for the same file,
    // whether the body is the bytes (as image/jpeg, or as curl --data-binary sends them: form-urlencoded) or one file of a form.
    [Fact]
    public async Task PredictAnswersWhatPredictGivesForBytesAndForAFormFile()
    {
        var (app, client) = await StartAsync(run.Report.ModelPath);
        await using var server = app;
        var paths = run.Report.ValidationPredictions.Select(p => p.ImagePath).Take(8).ToList();
        var expected = ImageClassifier.Predict(run.Report.ModelPath, paths, out _, run.Settings.CacheFolder).ToDictionary(p => p.ImagePath);
        foreach (var path in paths)
        {
            var body = new ByteArrayContent(File.ReadAllBytes(path));
            body.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(path)), "file", Path.GetFileName(path) } };
            var curlDefault = new ByteArrayContent(File.ReadAllBytes(path));
            curlDefault.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
            foreach (HttpContent content in new HttpContent[] { body, form, curlDefault })
            {
                var response = await client.PostAsync("/predict", content);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                Assert.Equal(expected[path].PredictedLabel, (string?)answer["predictedLabel"]);
                var scores = answer["scores"]!.AsObject();
                Assert.Equal(run.Report.Classes, scores.Select(s => s.Key));
                for (int k = 0; k < run.Report.Classes.Count; k++)
                    Assert.True(Math.Abs(expected[path].Scores[k] - (float)scores[run.Report.Classes[k]]!) <= 1e-4, $"{path} class {k}");
                Assert.True(Math.Abs(expected[path].Novelty!.Value - (float)answer["novelty"]!) <= 1e-4, $"{path} novelty");
                Assert.Equal(expected[path].Unknown, (bool)answer["unknown"]!);
            }
        }
        var health = JsonNode.Parse(await client.GetStringAsync("/healthz"))!;
        Assert.Equal("Healthy", (string?)health["status"]);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(run.Report.ModelPath))), (string?)health["model"]!["sha256"]);
        var openApi = JsonNode.Parse(await client.GetStringAsync("/openapi.json"))!;
        var predict = openApi["paths"]!["/predict"]!["post"]!;
        Assert.Equal(["application/octet-stream", "image/*", "multipart/form-data"], predict["requestBody"]!["content"]!.AsObject().Select(c => c.Key));
        Assert.Equal("#/components/schemas/PredictionAnswer", (string?)predict["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]);
        Assert.NotNull(openApi["components"]!["schemas"]!["PredictionAnswer"]!["properties"]!["scores"]);
        Assert.Contains("triangle", (string?)openApi["info"]!["description"]);
        Assert.Contains("triangle", await client.GetStringAsync("/"));
    }

    // POST /explain takes what /predict takes and answers with the overlay PNG of the network's view, the label in a header.
    [Fact]
    public async Task ExplainAnswersWithTheOverlayAndTheLabel()
    {
        var (app, client) = await StartAsync(run.Report.ModelPath);
        await using var server = app;
        var expected = run.Report.ValidationPredictions[0];
        var response = await client.PostAsync("/explain", Bytes(File.ReadAllBytes(expected.ImagePath), "image/jpeg"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected.PredictedLabel, Uri.UnescapeDataString(response.Headers.GetValues("X-Predicted-Label").Single()));
        using var overlay = SkiaSharp.SKBitmap.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((224, 224), (overlay.Width, overlay.Height));
        var bad = await client.PostAsync("/explain", new StringContent("just some text"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, bad.StatusCode);
    }

    // Bad input never gets a 500: each gets its 4xx and a JSON problem naming the reason, and the server keeps serving.
    [Fact]
    public async Task BadInputGetsAFourHundredThatSaysWhyAndTheServerKeepsServing()
    {
        var (app, client) = await StartAsync(run.Report.ModelPath, maxBodyBytes: 1 << 20);
        await using var server = app;
        byte[] jpeg = File.ReadAllBytes(run.Report.ValidationPredictions[0].ImagePath);
        var cases = new (string Name, HttpContent Content, int Status, string Says)[]
        {
            ("empty body", Bytes([], "application/octet-stream"), 400, "no image"),
            ("text", new StringContent("just some text"), 415, "looks like text"),
            ("a form-urlencoded body that is no image", new StringContent("a=1&b=2", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), 415, "not a decodable image"),
            ("text sent as bytes", Bytes("just some text"u8.ToArray(), "application/octet-stream"), 415, "looks like text"),
            ("truncated JPEG", Bytes(jpeg[..(jpeg.Length / 2)], "image/jpeg"), 422, "truncated"),
            ("unsupported format (TIFF)", Bytes([0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0, 0, 0, 0, 0], "image/tiff"), 415, "TIFF image, a format not read here"),
            ("decompression bomb", Bytes(OddImages.PngHeaderClaiming(30000, 30000), "image/png"), 422, "30000x30000"),
            ("over the size limit", Bytes(new byte[2 << 20], "application/octet-stream"), 413, "too large"),
            ("form with two files", new MultipartFormDataContent { { Bytes(jpeg, "image/jpeg"), "a", "a.jpg" }, { Bytes(jpeg, "image/jpeg"), "b", "b.jpg" } }, 400, "exactly one"),
        };
        foreach (var (name, content, status, says) in cases)
        {
            var response = await client.PostAsync("/predict", content);
            Assert.True((int)response.StatusCode == status, $"{name}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Contains(says, (string?)problem["detail"] ?? "", StringComparison.OrdinalIgnoreCase);
        }
        var good = await client.PostAsync("/predict", Bytes(jpeg, "image/jpeg"));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    // 32 clients at once, 256 requests: every one answered, each with the label that image gets alone.
    [Fact]
    public async Task ThirtyTwoConcurrentClientsAllGetTheirAnswers()
    {
        var (app, client) = await StartAsync(run.Report.ModelPath);
        await using var server = app;
        var images = run.Report.ValidationPredictions.Select(p => (Bytes: File.ReadAllBytes(p.ImagePath), p.PredictedLabel)).ToList();
        int failed = 0, wrong = 0;
        await Task.WhenAll(Enumerable.Range(0, 32).Select(c => Task.Run(async () =>
        {
            for (int r = 0; r < 8; r++)
            {
                var (bytes, label) = images[(c * 8 + r) % images.Count];
                var response = await client.PostAsync("/predict", Bytes(bytes, "image/jpeg"));
                if (!response.IsSuccessStatusCode) { Interlocked.Increment(ref failed); continue; }
                if ((string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["predictedLabel"] != label) Interlocked.Increment(ref wrong);
            }
        })));
        Assert.Equal((0, 0), (failed, wrong));
    }

    // The page as a person uses it: the real serve command, headless Chromium opens the page, an image is put into
    // its file input, and the label the page shows is read back, with where the model looked beside the image.
    [SkippableFact]
    public async Task ThePageClassifiesAnImagePutIntoItInChromium()
    {
        string? executable = Chromium.Find();
        Skip.If(executable is null, "Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it), so the page was not tried in a browser.");
        int port = FreePort();
        using var serve = Process.Start(CliProcess.StartInfo("serve", "--model", run.Report.ModelPath, "--port", port.ToString()))!;
        serve.BeginOutputReadLine();
        serve.BeginErrorReadLine();
        try
        {
            using var browser = new Chromium(executable!);
            var clock = Stopwatch.StartNew();
            while (!await Healthy(port)) { Assert.False(serve.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60), "serve did not start"); await Task.Delay(200); }
            await browser.OpenAsync($"http://127.0.0.1:{port}/");
            var expected = run.Report.ValidationPredictions[0];
            await browser.SetFileAsync("#file", expected.ImagePath);
            await browser.WaitForAsync("document.body.dataset.state === 'done'", TimeSpan.FromSeconds(30));
            Assert.Equal(expected.PredictedLabel, (string?)await browser.EvaluateAsync("document.getElementById('result').textContent"));
            Assert.Equal(3, (int)(await browser.EvaluateAsync("document.querySelectorAll('#bars .bar').length"))!);
            await browser.WaitForAsync("document.getElementById('heatmap').complete && document.getElementById('heatmap').naturalWidth > 0", TimeSpan.FromSeconds(10));
            Assert.Equal(224, (int)(await browser.EvaluateAsync("document.getElementById('heat').hidden ? 0 : document.getElementById('heatmap').naturalWidth"))!);
            File.WriteAllBytes(Path.Combine(run.Root, "serve-page.png"), await browser.ScreenshotAsync());
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
        }
    }

    // bench-serve end to end on a few images: every round measured, no failed request, the JSON written.
    [Fact]
    public void BenchServeMeasuresThroughputAndLatencyInRounds()
    {
        using var dir = new TempDir();
        var (code, output, error) = InProcessCli.Run("bench-serve", "--model", run.Report.ModelPath, "--data", run.DataFolder, "--clients", "4",
            "--requests", "16", "--rounds", "2", "--json", dir.Combine("serve.json"));
        Assert.True(code == 0, error);
        var rounds = JsonNode.Parse(File.ReadAllText(dir.Combine("serve.json")))!.AsArray();
        Assert.Equal(2, rounds.Count);
        Assert.All(rounds, r =>
        {
            Assert.Equal(0, (int)r!["failed"]!);
            Assert.True((double)r["throughput"]! > 0 && (double)r["rawNetwork"]! > 0 && (double)r["p99"]! >= (double)r["p50"]!);
            Assert.Equal((double)r["throughput"]! / (double)r["rawNetwork"]!, (double)r["throughputOverRaw"]!, 1e-9);
        });
        Assert.Contains("x the raw network", output);
    }

    private static ByteArrayContent Bytes(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private static async Task<bool> Healthy(int port)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            return (await http.GetAsync($"http://127.0.0.1:{port}/healthz")).IsSuccessStatusCode;
        }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
