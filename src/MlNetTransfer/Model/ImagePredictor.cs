using Microsoft.ML;
using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Training;

namespace MlNetTransfer.Model;

/// <summary>
/// A thread-safe predictor for apps: create one per model and share it (in ASP.NET, register it as a singleton),
/// then call <see cref="Predict(byte[], string?)"/> from any number of requests at once. It runs the same pieces as
/// model.zip (ML.NET's image decoding, the same ONNX graph, the stored head) without ML.NET's PredictionEngine,
/// which is not thread-safe; its probabilities equal the .zip's within 1e-4.
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
    private readonly HeadWeights _head;
    private readonly IReadOnlyList<string> _classes;
    private readonly FeatureNetwork _network;
    private readonly ImagePixels _decoder; // stateless: shared by every thread
    private readonly ThreadLocal<HeadScorer> _scorers; // built once per thread, not per request
    private int _predicting; // calls of Predict under way

    /// <exception cref="ModelLoadException">The model cannot be loaded.</exception>
    public ImagePredictor(string modelPath)
    {
        var model = ModelFile.Read(modelPath);
        _head = model.Head;
        _classes = model.Classes;
        var backbone = model.Backbone();
        _network = new FeatureNetwork(backbone, Environment.ProcessorCount);
        _decoder = new ImagePixels(backbone);
        _scorers = new ThreadLocal<HeadScorer>(() => new HeadScorer(_head, 1));
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
        var features = new float[_network.Backbone.FeatureSize];
        // A lone prediction decodes a large JPEG on two cores (same pixels, sooner); concurrent ones keep a core each.
        bool alone = Interlocked.Increment(ref _predicting) == 1;
        try
        {
            _decoder.Decode(image, pixels, twoThreads: alone);
            _network.Run(pixels, 1, features);
        }
        finally { Interlocked.Decrement(ref _predicting); }
        return Prediction.FromScores(name ?? "", _classes, _scorers.Value!.Predict(features));
    }

    public void Dispose()
    {
        _scorers.Dispose();
        _network.Dispose();
    }
}
