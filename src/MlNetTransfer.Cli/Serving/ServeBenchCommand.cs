using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace MlNetTransfer.Cli.Serving;

internal static class ServeBenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = CommonOptions.Model();
        var data = new Option<string>("--data") { Description = "Folder of images to post (read recursively).", Required = true };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients.", DefaultValueFactory = _ => 32 };
        var requests = new Option<int>("--requests") { Description = "Requests per round under load.", DefaultValueFactory = _ => 400 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds; medians of the rounds' ratios are reported.", DefaultValueFactory = _ => 3 };
        var json = new Option<string>("--json") { Description = "Where to write the figures.", DefaultValueFactory = _ => "bench-serve.json" };
        var command = new Command("bench-serve", "Measure serve: throughput under concurrent clients against the raw network, and one client's latency against ImagePredictor's.")
        {
            model, data, clients, requests, rounds, json,
        };
        command.SetAction(parse => CommandRunner.Run(error, false, () =>
        {
            var results = ServeBenchmark.Run(parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(clients), parse.GetValue(requests), parse.GetValue(rounds),
                new SyncProgress<string>(output.WriteLine));
            double Median(Func<ServeRound, double> f) => results.Select(f).Order().ElementAt(results.Count / 2);
            output.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "medians: {0} clients {1:F1} img/s = {2:F2} x the raw network ({3:F1} img/s); p50 {4:F0} ms, p99 {5:F0} ms; {6} failed requests in all; one client p50 {7:F1} ms = {8:F2} x ImagePredictor's ({9:F1} ms)",
                parse.GetValue(clients), Median(r => r.Throughput), Median(r => r.ThroughputOverRaw), Median(r => r.RawNetwork), Median(r => r.P50), Median(r => r.P99),
                results.Sum(r => r.Failed), Median(r => r.OneClientP50), Median(r => r.OneClientOverPredictor), Median(r => r.PredictorP50)));
            File.WriteAllText(parse.GetValue(json)!, JsonSerializer.Serialize(results, IO.Json.Options));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
