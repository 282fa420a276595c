using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace MlNetTransfer.Tests.Support;

/// <summary>Headless Chromium driven through its DevTools protocol: open a page, set a file input, read the page back.</summary>
public sealed class Chromium : IDisposable
{
    private readonly Process _process;
    private readonly string _profile = Path.Combine(Path.GetTempPath(), "mlnt-tests", "chromium-" + Guid.NewGuid().ToString("N")[..8]);
    private ClientWebSocket? _socket;
    private int _id;

    /// <summary>The browser's path, or null when none is installed (Debian: apt-get install chromium).</summary>
    public static string? Find() => new[] { "chromium", "chromium-browser", "google-chrome" }
        .Select(name => Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists))
        .FirstOrDefault(p => p is not null);

    public Chromium(string executable)
    {
        Directory.CreateDirectory(_profile);
        _process = Process.Start(new ProcessStartInfo(executable, ["--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
            $"--user-data-dir={_profile}", "--window-size=1000,900", "about:blank"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    /// <summary>Opens <paramref name="url"/> in the browser's page and waits until it has loaded.</summary>
    public async Task OpenAsync(string url)
    {
        string portFile = Path.Combine(_profile, "DevToolsActivePort");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(portFile) || new FileInfo(portFile).Length == 0)
        {
            if (_process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60)) throw new InvalidOperationException("Chromium did not start.");
            await Task.Delay(100);
        }
        int port = int.Parse(File.ReadAllLines(portFile)[0]);
        using var http = new HttpClient();
        var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
        var page = targets.First(t => (string?)t!["type"] == "page")!;
        _socket = new ClientWebSocket();
        await _socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), CancellationToken.None);
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        await WaitForAsync("document.readyState === 'complete'", TimeSpan.FromSeconds(30));
    }

    /// <summary>Puts <paramref name="file"/> into the page's file input <paramref name="selector"/> (its change event fires).</summary>
    public async Task SetFileAsync(string selector, string file)
    {
        var document = await SendAsync("DOM.getDocument", new JsonObject());
        var node = await SendAsync("DOM.querySelector", new JsonObject { ["nodeId"] = (int)document["root"]!["nodeId"]!, ["selector"] = selector });
        await SendAsync("DOM.setFileInputFiles", new JsonObject { ["nodeId"] = (int)node["nodeId"]!, ["files"] = new JsonArray(file) });
    }

    /// <summary>The value of a JavaScript expression in the page.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true });
        return result["result"]!["value"];
    }

    /// <summary>Polls until <paramref name="condition"/> (JavaScript) is true.</summary>
    public async Task WaitForAsync(string condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while ((await EvaluateAsync(condition))?.GetValue<bool>() != true)
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"The page never satisfied: {condition}");
            await Task.Delay(100);
        }
    }

    /// <summary>A PNG of the page as it is.</summary>
    public async Task<byte[]> ScreenshotAsync() =>
        Convert.FromBase64String((string)(await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }))["data"]!);

    private async Task<JsonNode> SendAsync(string method, JsonObject parameters)
    {
        int id = ++_id;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString();
        await _socket!.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var text = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                text.Write(buffer, 0, received.Count);
            } while (!received.EndOfMessage);
            var reply = JsonNode.Parse(text.ToArray())!;
            if ((int?)reply["id"] != id) continue; // an event, or another call's answer
            if (reply["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            return reply["result"]!;
        }
    }

    public void Dispose()
    {
        _socket?.Dispose();
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
