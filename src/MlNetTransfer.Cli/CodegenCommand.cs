using System.CommandLine;
using MlNetTransfer.Codegen;
using MlNetTransfer.Model;

namespace MlNetTransfer.Cli;

internal static class CodegenCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var defaults = new CodegenOptions();
        var model = CommonOptions.Model();
        var folder = new Option<string>("--output") { Description = "Folder for the generated project.", Required = true };
        var name = new Option<string>("--name") { Description = "Model class name (files NAME.consumption.cs, NAME.training.cs, NAME.mlnet).", DefaultValueFactory = _ => defaults.Name };
        var input = new Option<ImageInputKind>("--input") { Description = "What the generated model takes: bytes (Model Builder's byte[] ImageSource) or path.", DefaultValueFactory = _ => defaults.Input };
        var verbose = CommonOptions.Verbose();
        var command = new Command("codegen", "Generate Model-Builder-style code for a model: NAME.consumption.cs, NAME.training.cs, the model as NAME.mlnet, and a console project.")
        {
            model, folder, name, input, verbose,
        };
        command.SetAction(parse => CommandRunner.Run(error, parse.GetValue(verbose), _ =>
        {
            var options = new CodegenOptions { Name = parse.GetValue(name)!, Input = parse.GetValue(input) };
            foreach (var file in ConsumptionCode.Generate(parse.GetValue(model)!, parse.GetValue(folder)!, options))
                output.WriteLine($"Wrote {Path.GetFullPath(file)}");
            output.WriteLine($"Run it: dotnet run --project {parse.GetValue(folder)} -- IMAGE...   (retrain: -- --train FOLDER)");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
