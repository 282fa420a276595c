using System.CommandLine;

namespace MlNetTransfer.Cli;

internal static class CodegenCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = CommonOptions.Model();
        var folder = new Option<string>("--output") { Description = "Folder for the generated project.", Required = true };
        var name = new Option<string>("--name") { Description = "Project (and namespace) name.", DefaultValueFactory = _ => "ImageClassifierApp" };
        var verbose = CommonOptions.Verbose();
        var command = new Command("codegen", "Generate ModelInput/ModelOutput classes and a console program that use the model with ML.NET alone.")
        {
            model, folder, name, verbose,
        };
        command.SetAction(parse => CommandRunner.Run(error, parse.GetValue(verbose), _ =>
        {
            foreach (var file in Model.ConsumptionCode.Generate(parse.GetValue(model)!, parse.GetValue(folder)!, parse.GetValue(name)!))
                output.WriteLine($"Wrote {Path.GetFullPath(file)}");
            output.WriteLine($"Run it: dotnet run --project {parse.GetValue(folder)} -- {parse.GetValue(model)} IMAGE...");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
