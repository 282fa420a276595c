using System.Text.RegularExpressions;
using MlNetTransfer.IO;
using MlNetTransfer.Model;

namespace MlNetTransfer.Codegen;

/// <summary>What <see cref="ConsumptionCode.Generate"/> writes: Model Builder's shape for image classification.</summary>
internal sealed record CodegenOptions
{
    /// <summary>The model class (files <c>Name.consumption.cs</c>, <c>Name.training.cs</c>, <c>Name.mlnet</c>).</summary>
    public string Name { get; init; } = "MLModel";

    /// <summary>What the generated model takes: the image's bytes (Model Builder's <c>byte[] ImageSource</c>) or its path.</summary>
    public ImageInputKind Input { get; init; } = ImageInputKind.Bytes;

    /// <summary>
    /// The MlNetTransfer .nupkg the generated project references (the tool carries its own): copied into a feed
    /// folder <c>packages/</c> beside the project, with a nuget.config that adds that folder to the user's sources, so
    /// that a plain <c>dotnet build</c> finds the package. Null: the project finds it on the configured sources.
    /// </summary>
    public string? LibraryPackage { get; init; }
}

/// <summary>
/// Writes the code Model Builder writes for image classification, for a model.zip this tool trained: a
/// <c>Name.consumption.cs</c> (ModelInput, ModelOutput, a static Predict with a lazily created PredictionEngine,
/// PredictAllLabels), a <c>Name.training.cs</c> (BuildPipeline, RetrainModel, Train on a folder: the scripting face),
/// the model as <c>Name.mlnet</c> (Model Builder's layout: a Label key column, then the image column), and a console
/// project that builds and runs.
/// </summary>
internal static class ConsumptionCode
{
    private const string LocalFeedFolder = "packages";

    /// <summary>Writes the project into <paramref name="folder"/>; returns the files written.</summary>
    /// <exception cref="ModelLoadException">The model cannot be read.</exception>
    /// <exception cref="MlNetTransferException">The name is not a C# identifier, or the library package is missing.</exception>
    public static IReadOnlyList<string> Generate(string modelPath, string folder, CodegenOptions? options = null)
    {
        options ??= new CodegenOptions();
        if (!Regex.IsMatch(options.Name, "^[A-Za-z_][A-Za-z0-9_]*$"))
            throw new MlNetTransferException($"'{options.Name}' is not a valid C# class name (CodegenOptions.Name).");
        if (options.LibraryPackage is { } package && !File.Exists(package))
            throw new MlNetTransferException($"Cannot read the library package {package}: the file does not exist.");
        var model = ModelFile.Read(modelPath);
        var input = ModelInput.Of(options.Input, null);
        string project = $"{options.Name}.ConsoleApp", ns = $"{options.Name}_ConsoleApp";
        string modelFile = Path.Combine(folder, $"{options.Name}.mlnet");
        ModelWriter.Rewrite(model, modelFile, input, labelKey: true);
        var files = new Dictionary<string, string>
        {
            [$"{project}.csproj"] = Templates.Project(options.Name),
            [$"{options.Name}.consumption.cs"] = Templates.Consumption(ns, options.Name, input),
            [$"{options.Name}.training.cs"] = Templates.Training(ns, options.Name, input),
            ["Program.cs"] = Templates.Program(ns, options.Name, input),
        };
        var written = new List<string> { modelFile };
        if (options.LibraryPackage is not null)
        {
            string feedCopy = Path.Combine(folder, LocalFeedFolder, Path.GetFileName(options.LibraryPackage));
            AtomicFile.Write(feedCopy, stream => { using var source = File.OpenRead(options.LibraryPackage); source.CopyTo(stream); });
            written.Add(feedCopy);
            files["nuget.config"] = Templates.NuGetConfig(LocalFeedFolder);
        }
        foreach (var (name, text) in files)
        {
            string path = Path.Combine(folder, name);
            AtomicFile.WriteText(path, text);
            written.Add(path);
        }
        return written;
    }
}
