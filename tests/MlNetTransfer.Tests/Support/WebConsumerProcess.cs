using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MlNetTransfer.Tests.Support;

/// <summary>samples/WebConsumer (an ASP.NET app: uploaded bytes into ML.NET's PredictionEngine) on a loopback port, for one test.</summary>
public sealed class WebConsumerProcess : IDisposable
{
    private readonly Process _process;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <param name="tempFolder">The app's temp folder (TMPDIR); null: the machine's.</param>
    public WebConsumerProcess(string modelPath, string? tempFolder = null)
    {
        int port = FreePort();
        _client.BaseAddress = new Uri($"http://127.0.0.1:{port}");
        string dll = Path.Combine(RepoPaths.Root, "samples", "WebConsumer", "bin", "Debug", "net10.0", "WebConsumer.dll");
        var info = new ProcessStartInfo("dotnet", [dll, "--model", modelPath, "--urls", _client.BaseAddress.ToString()])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (tempFolder is not null) info.Environment["TMPDIR"] = tempFolder;
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (Errors) Errors.Add(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (Errors) Errors.Add(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (!Listening(port))
        {
            if (_process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
                throw new InvalidOperationException($"WebConsumer did not start: {string.Join("\n", Errors)}");
            Thread.Sleep(100);
        }
    }

    public List<string> Errors { get; } = [];

    /// <summary>Posts <paramref name="image"/>'s bytes; returns the label and the probabilities the app answered.</summary>
    public (string Label, float[] Scores) Predict(byte[] image)
    {
        var response = _client.PostAsync("/predict", new ByteArrayContent(image)).GetAwaiter().GetResult();
        string text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"{(int)response.StatusCode}: {text} {string.Join("\n", Errors)}");
        var parts = text.Split('\t');
        return (parts[0], parts[1].Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray());
    }

    /// <summary>Stops the app as a host does (SIGTERM; killed after 10 s) and returns its exit code.</summary>
    public int Stop()
    {
        if (!_process.HasExited)
            Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        if (!_process.WaitForExit(10_000)) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        _client.Dispose();
        try { Stop(); }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException) { return false; }
    }
}
