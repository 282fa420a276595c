using System.IO.Compression;
using System.Text.Json;
using MlNetTransfer.Backbones;
using MlNetTransfer.IO;

namespace MlNetTransfer.Model;

/// <summary>
/// A model.zip written by this tool, read but not run: its description (classes, input, backbone and view) and its
/// graph (<see cref="Graph"/>). Opens no ML.NET pipeline and no network session; <see cref="TrainedModel"/> runs the
/// zip through ML.NET as an app does, the predictors run its graph.
/// </summary>
internal sealed class ModelFile
{
    private ModelFile(string path, ModelInfo info)
    {
        Path = path;
        Info = info;
    }

    public string Path { get; }
    public ModelInfo Info { get; }

    /// <summary>Class names in Score order.</summary>
    public IReadOnlyList<string> Classes => Info.Classes;

    /// <summary>
    /// The backbone the model was trained with, as a description: how its pixels are made (view, size) and its feature
    /// size. Its network is not read again: the zip's own graph runs (<see cref="SavedGraph"/>), so a custom backbone's
    /// file need not be there any more.
    /// </summary>
    internal BackboneDescription Backbone() =>
        Info.CustomBackbone ?? BackboneRegistry.Describe(Info.Backbone).WithView(Info.View ?? ImageView.Crop) with { Int8 = Info.Int8 };

    /// <summary>The graph the zip runs, batched (read from the file each call: tens of megabytes).</summary>
    /// <exception cref="ModelLoadException">The zip's graph is missing or damaged, or it and model.json disagree on the novelty.</exception>
    internal SavedGraph Graph()
    {
        var graph = SavedGraph.Read(Path, Classes.Count);
        // What runs follows the graph (SavedGraph.HasNovelty), the ML.NET pipeline's columns follow model.json: a
        // file where they disagree is refused here rather than answering without the novelty it claims.
        if (graph.HasNovelty != (Info.Novelty is not null))
            throw new ModelLoadException(Path, graph.HasNovelty
                ? "its graph computes a novelty that its model.json does not describe"
                : "its model.json describes a novelty that its graph does not compute");
        return graph;
    }

    /// <summary>The one "file not found" of a model, for a reader that must touch the file before <see cref="Read"/>.</summary>
    /// <exception cref="ModelLoadException">No file at <paramref name="path"/>.</exception>
    public static void ThrowIfMissing(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new ModelLoadException(path, "file not found");
    }

    /// <summary>Reads and checks the tool's entries of a model file.</summary>
    /// <exception cref="ModelLoadException">Missing file, not a zip, truncated, or a zip this tool did not write.</exception>
    public static ModelFile Read(string path)
    {
        ThrowIfMissing(path);
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
            return new ModelFile(path, info);
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
