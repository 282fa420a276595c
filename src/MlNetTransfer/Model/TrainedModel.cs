using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetTransfer.Data;
using MlNetTransfer.Training;

namespace MlNetTransfer.Model;

/// <summary>
/// A model.zip written by this tool, loaded through ML.NET exactly as a consuming app loads it.
/// Not thread-safe: use one instance per thread.
/// </summary>
public sealed class TrainedModel : IDisposable
{
    private readonly PredictionEngine<Input, Output> _engine;

    private TrainedModel(string path, ModelInfo info, HeadWeights head, PredictionEngine<Input, Output> engine)
    {
        Path = path;
        Info = info;
        Head = head;
        _engine = engine;
    }

    /// <summary>The trained head, as stored beside the pipeline (for batched evaluation and ONNX export).</summary>
    public HeadWeights Head { get; }

    public string Path { get; }

    /// <summary>The backbone the model was trained with (needed for batched evaluation, prediction and export).</summary>
    /// <exception cref="FileNotFoundException">A custom backbone's ONNX file is no longer where training read it.</exception>
    public Backbones.BackboneDescription Backbone() =>
        Info.CustomBackbone is { } custom
            ? File.Exists(custom.ModelPath) ? custom : throw new FileNotFoundException($"The model's backbone file {custom.ModelPath} is not there any more; it is needed here (the .zip itself does not need it).", custom.ModelPath)
            : Backbones.BackboneRegistry.Get(Info.Backbone);
    public ModelInfo Info { get; }
    public IReadOnlyList<string> Classes => Info.Classes;

    /// <summary>Loads and checks a model file.</summary>
    /// <exception cref="ModelLoadException">Missing file, not a zip, truncated, or a model another pipeline wrote.</exception>
    public static TrainedModel Load(string path)
    {
        if (!File.Exists(path))
            throw new ModelLoadException(path, "file not found");
        var (info, head) = ReadInfo(path);
        var ml = new MLContext(seed: 0);
        ITransformer model;
        try
        {
            model = ml.Model.Load(path, out _);
        }
        catch (Exception e)
        {
            throw new ModelLoadException(path, $"ML.NET could not read it ({e.GetType().Name}: {e.Message})", e);
        }
        try
        {
            var engine = ml.Model.CreatePredictionEngine<Input, Output>(model);
            return new TrainedModel(path, info, head, engine);
        }
        catch (Exception e)
        {
            throw new ModelLoadException(path, $"its pipeline does not map {ModelColumns.ImagePath} to {ModelColumns.PredictedLabel} and {ModelColumns.Score} ({e.Message})", e);
        }
    }

    private static (ModelInfo, HeadWeights) ReadInfo(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var entry = zip.GetEntry(ModelInfo.EntryName)
                ?? throw new ModelLoadException(path, "it is an ML.NET model zip but not one written by MlNetTransfer (no model.json)");
            using var stream = entry.Open();
            var info = JsonSerializer.Deserialize<ModelInfo>(stream, Json.Options)
                ?? throw new ModelLoadException(path, "its model.json is empty");
            if (info.FormatVersion > ModelInfo.CurrentFormatVersion)
                throw new ModelLoadException(path, $"it was written by a newer MlNetTransfer (format {info.FormatVersion}; this version reads up to {ModelInfo.CurrentFormatVersion})");
            var headEntry = zip.GetEntry(HeadFile.EntryName) ?? throw new ModelLoadException(path, "its head weights (head.bin) are missing");
            using var headStream = headEntry.Open();
            using var buffer = new MemoryStream();
            headStream.CopyTo(buffer);
            return (info, HeadFile.Read(buffer.ToArray()));
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

    /// <summary>Predicts one image. Throws <see cref="InvalidDataException"/> naming the file when it is not a usable image.</summary>
    public Prediction Predict(string imagePath)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(imagePath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{imagePath}: cannot read file: {e.Message}", e);
        }
        if (ImageCheck.Problem(bytes) is { } problem)
            throw new InvalidDataException($"{imagePath}: {problem}");
        var output = _engine.Predict(new Input { ImagePath = imagePath });
        int best = Array.IndexOf(output.Score, output.Score.Max());
        return new Prediction(imagePath, output.PredictedLabel, output.Score[best], output.Score);
    }

    public void Dispose() => _engine.Dispose();

    private sealed class Input
    {
        public string ImagePath { get; set; } = "";
    }

    private sealed class Output
    {
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }
}
