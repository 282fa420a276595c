namespace MlNetTransfer.Backbones;

/// <summary>The backbones that ship with the tool.</summary>
internal static class BackboneRegistry
{
    /// <summary>Name of the default backbone.</summary>
    public const string DefaultName = "resnet18";

    /// <summary>Names of the embedded backbones.</summary>
    public static IReadOnlyList<string> Names { get; } = [DefaultName];

    /// <summary>
    /// An embedded backbone by name, or a user's ONNX classifier by path (anything ending in .onnx), described by
    /// <see cref="CustomBackbone.Describe"/> with <paramref name="preprocessing"/> over its defaults.
    /// </summary>
    public static BackboneDescription Resolve(string nameOrPath, BackbonePreprocessing? preprocessing = null) =>
        nameOrPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || File.Exists(nameOrPath)
            ? CustomBackbone.Describe(nameOrPath, preprocessing)
            : Get(nameOrPath);

    /// <summary>Returns the embedded backbone of that name.</summary>
    /// <exception cref="MlNetTransferException">No embedded backbone has that name.</exception>
    /// <exception cref="FileNotFoundException">The backbone's ONNX files are missing from the build output.</exception>
    public static BackboneDescription Get(string name = DefaultName)
    {
        if (!string.Equals(name, DefaultName, StringComparison.OrdinalIgnoreCase))
            throw new MlNetTransferException($"Unknown backbone '{name}'. Embedded backbones: {string.Join(", ", Names)}; or the path of an ONNX file.", nameof(TrainSettings.Backbone));
        return ResNet18(checkFiles: true);
    }

    /// <summary>
    /// The embedded backbone of that name as a description only (its view, sizes, preprocessing), whether or not its
    /// files are here: what a saved model, which carries its own graph, needs of it.
    /// </summary>
    internal static BackboneDescription Describe(string name) =>
        string.Equals(name, DefaultName, StringComparison.OrdinalIgnoreCase) ? ResNet18(checkFiles: false) : Get(name);

    // The ImageNet ResNet18 that Microsoft.ML.DnnImageFeaturizer.ResNet18 ships (CNTK export, opset 8).
    // Its preprocessing graph reorders RGB to BGR and subtracts a mean image; no std division.
    private static BackboneDescription ResNet18(bool checkFiles)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "DnnImageModels");
        string model = Path.Combine(folder, "ResNet18Onnx", "ResNet18.onnx");
        string preprocess = Path.Combine(folder, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
        foreach (var file in checkFiles ? [model, preprocess] : Array.Empty<string>())
            if (!File.Exists(file))
                throw new FileNotFoundException($"The embedded ResNet18 file is missing from the build output: {file}. Rebuild the project (the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 copies it).", file);
        return new BackboneDescription
        {
            Name = DefaultName,
            ModelPath = model,
            InputNode = "Input247",
            FeatureNode = "Pooling395_Output_0",
            FeatureSize = 512,
            InputSize = 224,
            ResizeTo = 256,
            Resize = ResizeMode.ResizeThenCenterCrop,
            PreprocessPath = preprocess,
            PreprocessInputNode = "OriginalInput",
            PreprocessOutputNode = "PreprocessedInput",
        };
    }
}
