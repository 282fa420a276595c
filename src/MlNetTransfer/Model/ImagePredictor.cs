using Microsoft.ML;
using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Training;

namespace MlNetTransfer.Model;

/// <summary>
/// A thread-safe predictor for apps: create one per model and share it (in ASP.NET, register it as a singleton),
/// then call <see cref="Predict(byte[], string?)"/> from any number of requests at once. It runs model.zip's own ONNX
/// graph on the pixels ML.NET's image steps make, without ML.NET's PredictionEngine, which is not thread-safe; its
/// probabilities equal the .zip's within 1e-4 (tested).
/// </summary>
/// <example>
/// <code>
/// builder.Services.AddSingleton(new ImagePredictor("model.zip"));
/// app.MapPost("/classify", async (HttpRequest request, ImagePredictor predictor) =>
/// {
///     using var body = new MemoryStream();
///     await request.Body.CopyToAsync(body);
///     var p = predictor.Predict(body.ToArray());
///     return Results.Ok(new { p.PredictedLabel, p.Confidence });
/// });
/// </code>
/// </example>
public sealed class ImagePredictor : IDisposable
{
    private readonly IReadOnlyList<string> _classes;
    private readonly FeatureNetwork _network;
    private readonly ImagePixels _decoder; // stateless: shared by every thread

    /// <exception cref="ModelLoadException">The model cannot be loaded.</exception>
    public ImagePredictor(string modelPath)
    {
        var model = ModelFile.Read(modelPath);
        _classes = model.Classes;
        _network = model.Graph().AnswerNetwork();
        _decoder = new ImagePixels(model.Backbone());
    }

    public IReadOnlyList<string> Classes => _classes;

    /// <summary>Predicts an image file.</summary>
    /// <exception cref="InvalidDataException">The file is not a usable image (the message says why).</exception>
    public Prediction Predict(string imagePath) => Predict(File.ReadAllBytes(imagePath), imagePath);

    /// <summary>Predicts an encoded image read from <paramref name="image"/>.</summary>
    public Prediction Predict(Stream image, string? name = null)
    {
        using var buffer = new MemoryStream();
        image.CopyTo(buffer);
        return Predict(buffer.ToArray(), name);
    }

    /// <summary>Predicts an encoded image (JPEG, PNG, GIF, BMP, WebP bytes).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a usable image (the message says why).</exception>
    public Prediction Predict(byte[] image, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (ImageCheck.Problem(image) is { } problem)
            throw new InvalidDataException($"{name ?? "image"}: {problem}");
        var pixels = new float[_decoder.Length];
        var answer = new float[_network.OutputSize];
        _decoder.Decode(image, pixels);
        _network.Run(pixels, 1, answer);
        return Prediction.FromAnswer(name ?? "", _classes, answer);
    }

    public void Dispose() => _network.Dispose();
}
