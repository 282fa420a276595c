using Microsoft.Extensions.Hosting;
using System.CommandLine;
using MlNetTransfer.Model;

namespace MlNetTransfer.Cli.Serving;

internal static class ServeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var defaults = new BatchingOptions();
        var model = CommonOptions.Model();
        var port = new Option<int?>("--port") { Description = "Port on 127.0.0.1 (default 5000); --urls sets other addresses." };
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on, e.g. http://0.0.0.0:8080 (several separated by ';')." };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most images per network call.", DefaultValueFactory = _ => defaults.MaxBatchSize };
        var maxWait = new Option<double>("--max-wait-ms") { Description = "Longest an image waits for others to join its batch (only while others are being decoded).", DefaultValueFactory = _ => defaults.MaxWait.TotalMilliseconds };
        var maxBody = new Option<double>("--max-body-mb") { Description = "Largest request body in MB; larger requests get 413.", DefaultValueFactory = _ => 20 };
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer token that POST /predict requires (also $MLNETTRANSFER_API_KEY). Bound to anything but loopback, serve requires one: without it, one is generated and printed." };
        var noAuth = new Option<bool>("--no-auth") { Description = "Serve without an API key, on any address." };
        var verbose = CommonOptions.Verbose();
        var command = new Command("serve", "Serve a model over HTTP: POST /predict, a page to try it at /, /healthz, /openapi.json.")
        {
            model, port, urls, maxBatch, maxWait, maxBody, apiKey, noAuth, verbose,
        };
        command.SetAction(parse => CommandRunner.Run(error, parse.GetValue(verbose), cancel =>
        {
            var options = new ServeOptions
            {
                ModelPath = parse.GetValue(model)!,
                Urls = parse.GetValue(urls) ?? $"http://127.0.0.1:{parse.GetValue(port) ?? 5000}",
                Batching = defaults with { MaxBatchSize = parse.GetValue(maxBatch), MaxWait = TimeSpan.FromMilliseconds(parse.GetValue(maxWait)) },
                MaxBodyBytes = (long)(parse.GetValue(maxBody) * 1024 * 1024),
            };
            string? key = parse.GetValue(apiKey) ?? NullIfBlank(Environment.GetEnvironmentVariable("MLNETTRANSFER_API_KEY"));
            if (parse.GetValue(noAuth))
            {
                if (parse.GetValue(apiKey) is not null) throw new UsageException("--api-key and --no-auth contradict each other.");
                key = null;
            }
            else if (key is null && !LoopbackOnly(options.Urls))
            {
                key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
                output.WriteLine($"API key (generated; send 'Authorization: Bearer KEY' to /predict): {key}");
            }
            options = options with { ApiKey = key };
            ModelWarnings.Write(options.ModelPath, error);
            using var app = ServeApp.Build(options);
            app.StartAsync(cancel).GetAwaiter().GetResult();
            foreach (var address in app.Urls) output.WriteLine($"Serving {Path.GetFullPath(options.ModelPath)} at {address} (Ctrl-C stops)");
            // Until a signal (or the host itself) stops it; then it stops taking connections and lets the requests
            // under way finish (within the host's shutdown timeout) before the process ends.
            app.WaitForShutdownAsync(cancel).GetAwaiter().GetResult();
            app.StopAsync().GetAwaiter().GetResult();
            output.WriteLine("Stopped.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>Every address is this machine's loopback (127.0.0.0/8, ::1, localhost): then no one else can reach the port.</summary>
    internal static bool LoopbackOnly(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries).All(url =>
            Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            && (uri.IsLoopback || System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip)));
}
