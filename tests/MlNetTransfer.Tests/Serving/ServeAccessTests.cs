using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Serving;

/// <summary>
/// Bound to an address other than loopback, serve answers /predict only with its API key (one is generated and printed
/// when none is given); --no-auth opts out by name. Requests go to 127.0.0.1 only.
/// </summary>
[Trait("Category", "Slow")]
public class ServeAccessTests
{
    private static readonly string Model = Path.Combine(RepoPaths.Root, "tests", "MlNetTransfer.Tests", "Fixtures", "models-0.2.0", "path-crop-custom.zip");
    private static readonly byte[] Image = File.ReadAllBytes(Path.Combine(RepoPaths.Root, "tests", "MlNetTransfer.Tests", "Fixtures", "models-0.2.0", "images", "circle0.png"));

    [Fact]
    public async Task OnEveryInterfaceAGeneratedKeyIsRequiredAndNoAuthOptsOut()
    {
        using (var server = Start("--urls", "http://0.0.0.0:0"))
        {
            var keyLine = server.Process.StandardOutput.ReadLine() ?? "";
            Assert.StartsWith("API key (generated", keyLine);
            string key = keyLine[(keyLine.LastIndexOf(": ", StringComparison.Ordinal) + 2)..];
            using var client = Client(server.Process.StandardOutput.ReadLine());

            var none = await client.PostAsync("/predict", new ByteArrayContent(Image));
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Bearer", none.Headers.WwwAuthenticate.ToString());
            Assert.Equal(HttpStatusCode.Unauthorized, (await Post(client, "wrong")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await Post(client, key)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
            // Clients generated from the OpenAPI document know to send the key, on the endpoints that check it.
            var openApi = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync("/openapi.json"))!;
            Assert.Equal("bearer", (string?)openApi["components"]!["securitySchemes"]!["bearer"]!["scheme"]);
            Assert.NotNull(openApi["paths"]!["/predict"]!["post"]!["security"]![0]!["bearer"]);
            Assert.NotNull(openApi["paths"]!["/explain"]!["post"]!["security"]![0]!["bearer"]);
            Assert.NotNull(openApi["paths"]!["/"]!["get"]);
            Assert.Null(openApi["paths"]!["/"]!["get"]!["security"]); // the page asks for the key itself
        }
        using (var server = Start("--urls", "http://0.0.0.0:0", "--no-auth"))
        {
            using var client = Client(server.Process.StandardOutput.ReadLine());
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/predict", new ByteArrayContent(Image))).StatusCode);
            var openApi = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync("/openapi.json"))!;
            Assert.Null(openApi["components"]?["securitySchemes"]);
        }
    }

    private static async Task<HttpResponseMessage> Post(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = new ByteArrayContent(Image) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await client.SendAsync(request);
    }

    // "Serving ... at http://0.0.0.0:PORT": the port, reached on loopback.
    private static HttpClient Client(string? servingLine)
    {
        var port = Regex.Match(servingLine ?? "", @":(\d+)\s*\(").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(port), servingLine);
        return new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    private static Server Start(params string[] args) => new(Process.Start(CliProcess.StartInfo(["serve", "--model", Model, .. args]))!);

    private sealed class Server(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.WaitForExit(10_000);
            Process.Dispose();
        }
    }
}
