using MlNetTransfer.Data;

namespace MlNetTransfer.Model;

/// <summary>
/// Explanations of one loaded model, for both predictors: decode, run <see cref="GradCam"/> (a session of its own,
/// made on the first call), lay the heatmap over the network's view. Thread-safe.
/// </summary>
internal sealed class Explainer(ModelFile model, SavedGraph graph) : IDisposable
{
    private readonly ImagePixels _decoder = new(model.Backbone());
    private readonly int _viewSide = model.Backbone().InputSize;
    private readonly Lazy<GradCam> _gradCam = new(() => new GradCam(graph, model.Path));

    /// <exception cref="InvalidDataException">The bytes are not a usable image (the message says why).</exception>
    /// <exception cref="MlNetTransferException">The model's backbone has no convolutional map before its features.</exception>
    public Explanation Explain(byte[] image, string? name, long maxPixels = ImageCheck.DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (ImageCheck.Problem(image, maxPixels) is { } problem)
            throw new InvalidDataException($"{name ?? "image"}: {problem}");
        var pixels = new float[_decoder.Length];
        try
        {
            _decoder.Decode(image, pixels);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{name ?? "image"}: could not be decoded: {e.Message}", e);
        }
        var (answer, heatmap) = _gradCam.Value.Run(pixels);
        var overlay = HeatmapOverlay.Png(pixels, _decoder.Side, _viewSide, heatmap);
        return new Explanation(Prediction.FromAnswer(name ?? "", model.Classes, answer), heatmap.Width, heatmap.Height, heatmap.Values, overlay);
    }

    public void Dispose()
    {
        if (_gradCam.IsValueCreated) _gradCam.Value.Dispose();
    }
}
