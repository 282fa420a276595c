using System.IO.Compression;
using System.Text.Json;
using MlNetTransfer.Backbones;
using MlNetTransfer.IO;
using MlNetTransfer.Training;

namespace MlNetTransfer.Model;

/// <summary>
/// A model.zip written by this tool, read but not run: its class names, backbone and trained head (for batched
/// evaluation and prediction on cached features, ONNX export and code generation). Opens no ML.NET pipeline and no
/// network session; <see cref="TrainedModel"/> runs the zip through ML.NET as an app does.
/// </summary>
internal sealed class ModelFile
{
    private ModelFile(string path, ModelInfo info, HeadWeights head)
    {
        Path = path;
        Info = info;
        Head = head;
    }

    public string Path { get; }
    public ModelInfo Info { get; }

    /// <summary>The trained head, as stored beside the pipeline.</summary>
    public HeadWeights Head { get; }

    /// <summary>Class names in Score order.</summary>
    public IReadOnlyList<string> Classes => Info.Classes;

    /// <summary>The backbone the model was trained with.</summary>
    /// <exception cref="FileNotFoundException">A custom backbone's ONNX file is no longer where training read it.</exception>
    public BackboneDescription Backbone() =>
        Info.CustomBackbone is { } custom
            ? File.Exists(custom.ModelPath) ? custom : throw new FileNotFoundException($"The model's backbone file {custom.ModelPath} is not there any more; it is needed here (the .zip itself does not need it).", custom.ModelPath)
            : BackboneRegistry.Get(Info.Backbone).WithView(Info.View ?? ImageView.Crop) with { Int8 = Info.Int8 };

    /// <summary>Reads and checks the tool's entries of a model file.</summary>
    /// <exception cref="ModelLoadException">Missing file, not a zip, truncated, or a zip this tool did not write.</exception>
    public static ModelFile Read(string path)
    {
        if (!File.Exists(path))
            throw new ModelLoadException(path, "file not found");
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var entry = zip.GetEntry(ModelInfo.EntryName)
                ?? throw new ModelLoadException(path, "it is an ML.NET model zip but not one written by MlNetTransfer (no model.json)");
            ModelInfo info;
            using (var stream = entry.Open())
                info = JsonSerializer.Deserialize<ModelInfo>(stream, Json.Options) ?? throw new ModelLoadException(path, "its model.json is empty");
            if (info.FormatVersion > ModelInfo.CurrentFormatVersion)
                throw new ModelLoadException(path, $"it was written by a newer MlNetTransfer (format {info.FormatVersion}; this version reads up to {ModelInfo.CurrentFormatVersion})");
            var headEntry = zip.GetEntry(HeadFile.EntryName) ?? throw new ModelLoadException(path, "its head weights (head.bin) are missing");
            using var headStream = headEntry.Open();
            using var buffer = new MemoryStream();
            headStream.CopyTo(buffer);
            return new ModelFile(path, info, HeadFile.Read(buffer.ToArray()));
        }
        catch (InvalidDataException e)
        {
            throw new ModelLoadException(path, $"not a valid zip file or damaged ({e.Message})", e);
        }
        catch (JsonException e)
        {
            throw new ModelLoadException(path, $"its model.json is unreadable ({e.Message})", e);
        }
    }
}
