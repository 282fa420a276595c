using System.CommandLine;

namespace MlNetTransfer.Cli;

internal static class CommonOptions
{
    public static Option<bool> Verbose() => new("--verbose") { Description = "Show stack traces on errors." };

    public static Option<string?> Cache() => new("--cache")
    {
        Description = "Feature cache folder. Default: $MLNETTRANSFER_CACHE or ~/.cache/mlnettransfer.",
    };

    public static Option<Features.ComputeDevice> Device() => new Option<Features.ComputeDevice>("--device")
    {
        Description = "Where the network extracts features: cpu, or cuda (needs the GPU build of ONNX Runtime; see docs/deploying.md).",
        DefaultValueFactory = _ => new Features.ExtractorOptions().Device,
    }.WithChoices();

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
    /// <exception cref="FileNotFoundException">An item is neither, or the folders named hold no image file.</exception>
    public static List<string> ImagePaths(IEnumerable<string> items)
    {
        var paths = new List<string>();
        foreach (var item in items)
        {
            if (Directory.Exists(item)) paths.AddRange(Data.ImageDataset.ImageFilesUnder(item));
            else if (File.Exists(item)) paths.Add(item);
            else throw new FileNotFoundException($"No such file or folder: {item}");
        }
        if (paths.Count == 0)
            throw new FileNotFoundException($"No image files in {string.Join(", ", items)} (read: {string.Join(" ", Data.ImageDataset.ImageExtensions)}).");
        return paths;
    }

    /// <summary>
    /// An option whose values are an enum's names, written in lower case as the docs write them (any case is taken):
    /// help shows them, and a wrong one is a one-line error that lists them, not a .NET type name.
    /// </summary>
    public static Option<T> WithChoices<T>(this Option<T> option)
    {
        if (!typeof(T).IsEnum) return option;
        var names = Enum.GetNames(typeof(T)).Select(n => n.ToLowerInvariant()).ToArray();
        option.HelpName = string.Join('|', names);
        option.CustomParser = result =>
        {
            string given = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (names.Contains(given, StringComparer.OrdinalIgnoreCase)) return (T)Enum.Parse(typeof(T), given, ignoreCase: true);
            result.AddError($"{option.Name} takes {string.Join(", ", names[..^1])} or {names[^1]}, not '{given}'.");
            return default;
        };
        return option;
    }
}
