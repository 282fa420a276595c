using System.CommandLine;

namespace MlNetTransfer.Cli;

internal static class CommonOptions
{
    public static Option<bool> Verbose() => new("--verbose") { Description = "Show stack traces on errors." };

    public static Option<string?> Cache() => new("--cache")
    {
        Description = "Feature cache folder. Default: $MLNETTRANSFER_CACHE or ~/.cache/mlnettransfer.",
    };

    public static Option<Features.ComputeDevice> Device() => new("--device")
    {
        Description = "Where the network extracts features: cpu, or cuda (needs the GPU build of ONNX Runtime; see docs/deploying.md).",
        DefaultValueFactory = _ => new Features.ExtractorOptions().Device,
    };

    public static Option<string> Model() => new("--model")
    {
        Description = "Path of a model.zip written by train.",
        Required = true,
    };
}
