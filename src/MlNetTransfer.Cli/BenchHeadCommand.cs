using System.CommandLine;
using System.Globalization;
using MlNetTransfer.Benchmarks;

namespace MlNetTransfer.Cli;

/// <summary>bench's head-training yardstick (d') on its own (no images, no network), optionally against another build.</summary>
internal static class BenchHeadCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var repeats = new Option<int>("--repeats") { Description = "Measured runs (of each build), after one warm-up; medians are reported.", DefaultValueFactory = _ => 3 };
        var against = new Option<string>("--against") { Description = "Another build's MlNetTransfer.dll: the two take turns, and this/other is reported." };
        var command = new Command("bench-head", "Measure head training alone: 10,000 x 512 synthetic features, 10 classes, 30 epochs of the default head.")
        {
            repeats, against,
        };
        command.SetAction(parse => CommandRunner.Run(error, false, () =>
        {
            var inv = CultureInfo.InvariantCulture;
            var builds = new List<(string Name, HeadTrainingBenchmark Bench, List<double> Seconds)> { ("this build", new HeadTrainingBenchmark(), []) };
            if (parse.GetValue(against) is { } other) builds.Add((other, new HeadTrainingBenchmark(other), []));
            foreach (var b in builds) b.Bench.Seconds();
            for (int round = 1; round <= parse.GetValue(repeats); round++)
                foreach (var b in builds)
                {
                    b.Seconds.Add(b.Bench.Seconds());
                    output.WriteLine(string.Format(inv, "round {0}, {1}: {2:F2} s", round, b.Name, b.Seconds[^1]));
                }
            foreach (var b in builds)
                output.WriteLine(string.Format(inv, "{0}: median {1:F2} s of {2} runs ({3} cores)", b.Name, ThroughputResult.MedianOf(b.Seconds), b.Seconds.Count, Environment.ProcessorCount));
            if (builds.Count == 2)
            {
                var ratios = builds[0].Seconds.Zip(builds[1].Seconds, (a, b) => a / b).ToList();
                output.WriteLine(string.Format(inv, "this/other: {0:F3} (ratio of medians); per round [{1}], median {2:F3}",
                    ThroughputResult.MedianOf(builds[0].Seconds) / ThroughputResult.MedianOf(builds[1].Seconds),
                    string.Join(", ", ratios.Select(r => r.ToString("F3", inv))), ThroughputResult.MedianOf(ratios)));
            }
            return ExitCodes.Ok;
        }));
        return command;
    }
}
