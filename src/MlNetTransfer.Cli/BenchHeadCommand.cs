using System.CommandLine;
using System.Globalization;
using MlNetTransfer.Benchmarks;

namespace MlNetTransfer.Cli;

/// <summary>bench's head-training yardstick (d') on its own: no images, no network.</summary>
internal static class BenchHeadCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var repeats = new Option<int>("--repeats") { Description = "Measured runs, after one warm-up; the median is reported.", DefaultValueFactory = _ => 3 };
        var command = new Command("bench-head", "Measure head training alone: 10,000 x 512 synthetic features, 10 classes, 30 epochs of the default head.")
        {
            repeats,
        };
        command.SetAction(parse => CommandRunner.Run(error, false, _ =>
        {
            var inv = CultureInfo.InvariantCulture;
            var bench = new HeadTrainingBenchmark();
            bench.Seconds();
            var seconds = new List<double>();
            for (int round = 0; round < parse.GetValue(repeats); round++)
            {
                seconds.Add(bench.Seconds());
                output.WriteLine(string.Format(inv, "round {0}: {1:F2} s", round + 1, seconds[^1]));
            }
            output.WriteLine(string.Format(inv, "head training, 10,000 x 512, 30 epochs (default head): median {0:F2} s of {1} runs, {2} cores",
                ThroughputResult.MedianOf(seconds), seconds.Count, Environment.ProcessorCount));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
