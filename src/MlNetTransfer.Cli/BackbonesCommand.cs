using System.CommandLine;

namespace MlNetTransfer.Cli;

internal static class BackbonesCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("backbones", "List the embedded backbones.");
        command.SetAction(_ =>
        {
            foreach (var name in Backbones.BackboneRegistry.Names)
            {
                var b = Backbones.BackboneRegistry.Get(name);
                output.WriteLine($"{b.Name}\t{b.FeatureSize} features\tinput {b.InputSize}x{b.InputSize} ({b.Resize}, resize {b.ResizeTo})\t{b.ModelPath}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
