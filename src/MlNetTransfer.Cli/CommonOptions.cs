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

    public static Argument<string[]> Images() => new("images")
    {
        Description = "Image files (or folders, read recursively).",
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>The image files named: files as they are, folders read recursively.</summary>
    /// <exception cref="FileNotFoundException">An item is neither, or a folder without image files.</exception>
    public static List<string> ImagePaths(IEnumerable<string> items)
    {
        var paths = new List<string>();
        foreach (var item in items)
        {
            if (Directory.Exists(item))
            {
                var found = Data.ImageDataset.ImageFilesUnder(item);
                if (found.Count == 0)
                    throw new FileNotFoundException($"No image files in {item} (read: {string.Join(" ", Data.ImageDataset.ImageExtensions)}).");
                paths.AddRange(found);
            }
            else if (File.Exists(item)) paths.Add(item);
            else throw new FileNotFoundException($"No such file or folder: {item}");
        }
        return paths;
    }
}
