using System.CommandLine;

namespace MlNetTransfer.Cli;

/// <summary>Composes the commands and runs one. Output goes to the given writers so tests can read it.</summary>
public static class CliApp
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("MlNetTransfer: train image classifiers by transfer learning on ML.NET (frozen ResNet18 features, trained head, ML.NET model.zip).")
        {
            TrainCommand.Create(output, error),
            EvaluateCommand.Create(output, error),
            PredictCommand.Create(output, error),
            ExplainCommand.Create(output, error),
            BackbonesCommand.Create(output),
            SampleDataCommand.Create(output, error),
            ExportCommand.Create(output, error),
            CodegenCommand.Create(output, error),
            BenchCommand.Create(output, error),
            BenchHeadCommand.Create(output, error),
            Serving.ServeCommand.Create(output, error),
            Serving.ServeBenchCommand.Create(output, error),
            ExtractCommand.Create(output, error),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // A mistyped command also leaves "Required command was not provided": the unrecognised word is the one to name.
            var first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            error.WriteLine($"error: {string.Join(" ", first.Message.Split('\n', StringSplitOptions.TrimEntries))} (run with --help for usage)");
            return ExitCodes.Usage;
        }
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
