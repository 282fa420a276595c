using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetTransfer.Data;

namespace MlNetTransfer.Model;

/// <summary>
/// A model.zip written by this tool, run through ML.NET's <c>PredictionEngine</c> exactly as a consuming app runs it.
/// Not thread-safe: use one instance per thread (or <see cref="ImagePredictor"/>, which is).
/// </summary>
public sealed class TrainedModel : IDisposable
{
    private readonly ITransformer _pipeline;
    private readonly PredictionEngine<Input, Output> _engine;

    private TrainedModel(ModelFile file, ITransformer pipeline, PredictionEngine<Input, Output> engine)
    {
        File = file;
        _pipeline = pipeline;
        _engine = engine;
    }

    /// <summary>What the file holds besides the pipeline: classes, backbone, head.</summary>
    internal ModelFile File { get; }

    public IReadOnlyList<string> Classes => File.Classes;

    /// <summary>Loads a model file and its ML.NET pipeline.</summary>
    /// <exception cref="ModelLoadException">Missing file, not a zip, truncated, or a model another pipeline wrote.</exception>
    public static TrainedModel Load(string path)
    {
        var file = ModelFile.Read(path);
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
        var input = file.Info.Input ?? ModelInput.ImagePath;
        try
        {
            return new TrainedModel(file, model, ml.Model.CreatePredictionEngine<Input, Output>(model, inputSchemaDefinition: Input.Schema(input, file.Info.LabelKey),
                outputSchemaDefinition: Output.Schema(file.Info.Novelty is not null)));
        }
        catch (Exception e)
        {
            (model as IDisposable)?.Dispose();
            throw new ModelLoadException(path, $"its pipeline does not map {input.Column} to {ModelColumns.PredictedLabel} and {ModelColumns.Score} ({e.Message})", e);
        }
    }

    private bool _disposed;

    /// <summary>Predicts one image file.</summary>
    /// <exception cref="InvalidDataException">The file cannot be read or is not a usable image; the message names it and says why.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public Prediction Predict(string imagePath)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[] bytes = ImageFile.Read(imagePath);
        if (ImageCheck.Problem(bytes) is { } problem)
            throw new InvalidDataException($"{imagePath}: {problem}");
        var output = _engine.Predict(new Input { ImagePath = imagePath, ImageBytes = bytes });
        // The label is the pipeline's own, as an app reads it; the confidence is its score.
        return Prediction.FromScores(imagePath, Classes, output.Score) with
        {
            PredictedLabel = output.PredictedLabel,
            Novelty = output.Novelty.Length > 0 ? output.Novelty[0] : null,
            Unknown = output.Unknown.Length > 0 ? output.Unknown[0] : null,
        };
    }

    /// <summary>Also deletes the copy of the graph ML.NET wrote to the temp folder when it loaded the file (62 MB for ResNet18).</summary>
    public void Dispose()
    {
        _disposed = true;
        _engine.Dispose();
        (_pipeline as IDisposable)?.Dispose();
    }

    // Both kinds of input; the schema definition keeps the model's own (its column name) and drops the other.
    private sealed class Input
    {
        public string ImagePath { get; set; } = "";
        public byte[] ImageBytes { get; set; } = [];
        public string Label { get; set; } = "";

        public static SchemaDefinition Schema(ModelInput input, bool labelKey)
        {
            var definition = SchemaDefinition.Create(typeof(Input));
            bool bytes = input.Kind == ImageInputKind.Bytes;
            definition.Remove(definition[bytes ? nameof(ImagePath) : nameof(ImageBytes)]);
            definition[bytes ? nameof(ImageBytes) : nameof(ImagePath)].ColumnName = input.Column;
            if (!labelKey) definition.Remove(definition[nameof(Label)]);
            return definition;
        }
    }

    private sealed class Output
    {
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
        public float[] Novelty { get; set; } = [];
        public bool[] Unknown { get; set; } = [];

        // A model without novelty has neither column.
        public static SchemaDefinition Schema(bool novelty)
        {
            var definition = SchemaDefinition.Create(typeof(Output));
            if (!novelty)
            {
                definition.Remove(definition[nameof(Novelty)]);
                definition.Remove(definition[nameof(Unknown)]);
            }
            return definition;
        }
    }
}
