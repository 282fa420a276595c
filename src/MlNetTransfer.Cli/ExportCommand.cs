using System.CommandLine;

namespace MlNetTransfer.Cli;

internal static class ExportCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = CommonOptions.Model();
        var onnx = new Option<string>("--onnx") { Description = "Path of the ONNX file to write.", Required = true };
        var verbose = CommonOptions.Verbose();
        var command = new Command("export", "Export a model.zip as one ONNX file (image tensor in, class probabilities out; layout and class names in its metadata).")
        {
            model, onnx, verbose,
        };
        command.SetAction(parse => CommandRunner.Run(error, parse.GetValue(verbose), () =>
        {
            Model.OnnxExport.Export(parse.GetValue(model)!, parse.GetValue(onnx)!);
            output.WriteLine($"Wrote {Path.GetFullPath(parse.GetValue(onnx)!)}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
