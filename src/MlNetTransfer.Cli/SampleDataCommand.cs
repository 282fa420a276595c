using System.CommandLine;

namespace MlNetTransfer.Cli;

internal static class SampleDataCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var folder = new Option<string>("--output") { Description = "Where to write the images.", DefaultValueFactory = _ => SampleData.RelativePath };
        var perClass = new Option<int>("--per-class") { Description = "Images per class.", DefaultValueFactory = _ => 40 };
        var command = new Command("sample-data", "Generate the synthetic sample data set (shapes) that data/sample holds.") { folder, perClass };
        command.SetAction(parse => CommandRunner.Run(error, false, () =>
        {
            Data.SampleImages.Generate(parse.GetValue(folder)!, parse.GetValue(perClass));
            output.WriteLine($"Wrote {Data.SampleImages.Classes.Count} x {parse.GetValue(perClass)} images to {Path.GetFullPath(parse.GetValue(folder)!)}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
