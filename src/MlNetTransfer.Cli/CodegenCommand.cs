using System.CommandLine;
using MlNetTransfer.Codegen;
using MlNetTransfer.IO;
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
        var input = new Option<ImageInputKind>("--input") { Description = "What the generated model takes: bytes (Model Builder's byte[] ImageSource) or path.", DefaultValueFactory = _ => defaults.Input }.WithChoices();
        var verbose = CommonOptions.Verbose();
        var command = new Command("codegen", "Generate Model-Builder-style code for a model: NAME.consumption.cs, NAME.training.cs, the model as NAME.mlnet, and a console project.")
        {
            model, folder, name, input, verbose,
        };
        command.SetAction(parse => CommandRunner.Run(error, parse.GetValue(verbose), () =>
        {
            string? libraryPackage = CarriedLibraryPackage();
            var options = new CodegenOptions { Name = parse.GetValue(name)!, Input = parse.GetValue(input), LibraryPackage = libraryPackage };
            foreach (var file in ConsumptionCode.Generate(parse.GetValue(model)!, parse.GetValue(folder)!, options))
                output.WriteLine($"Wrote {Path.GetFullPath(file)}");
            if (libraryPackage is null)
                error.WriteLine($"note: this mlnet-transfer does not carry the MlNetTransfer package (it runs from a build, not from the installed tool): the project "
                    + $"builds where package MlNetTransfer {PackageVersion.Of(typeof(ModelFile))} is on your sources; for example: "
                    + $"`dotnet pack src/MlNetTransfer -o FEED`, then `dotnet build {parse.GetValue(folder)} --source FEED --source https://api.nuget.org/v3/index.json` "
                    + "(or use the installed tool, which carries it).");
            output.WriteLine($"Run it: cd {parse.GetValue(folder)} && dotnet run -- IMAGE...   (retrain: dotnet run -- --train FOLDER)");
            return ExitCodes.Ok;
        }));
        return command;
    }

    // The tool package carries the library's own package (MlNetTransfer.Cli.csproj, CarryTheLibraryPackage); a build
    // run from source does not.
    private static string? CarriedLibraryPackage()
    {
        string package = Path.Combine(AppContext.BaseDirectory, "packages", $"MlNetTransfer.{PackageVersion.Of(typeof(ModelFile))}.nupkg");
        return File.Exists(package) ? package : null;
    }
}
