using MlNetTransfer.Data;

namespace MlNetTransfer.Model;

/// <summary>
/// Explanations of one loaded model, for both predictors and the <c>explain</c> command: decode, run
/// <see cref="GradCam"/>, lay the heatmap over the network's view. Grad-CAM's session is made on the first call,
/// from the model file read again (most apps never explain: they hold no second copy of the graph); a file replaced
/// since the model was loaded is refused rather than explained with another model's graph. Thread-safe.
/// </summary>
internal sealed class Explainer : IDisposable
{
    private readonly ModelFile _model;
    private readonly FileSignature? _loaded;
    private readonly ImagePixels _decoder;
    private readonly int _viewSide;
    private readonly Lazy<GradCam> _gradCam;

    public Explainer(ModelFile model)
    {
        _model = model;
        _loaded = FileSignature.Of(model.Path);
        _decoder = new ImagePixels(model.Backbone());
        _viewSide = model.Backbone().InputSize;
        _gradCam = new Lazy<GradCam>(() =>
        {
            var graph = _model.Graph();
            if (FileSignature.Of(_model.Path) != _loaded)
                throw new MlNetTransferException($"{_model.Path}: the file was replaced after the model was loaded; load it again to explain with it.");
            return new GradCam(graph, _model.Path);
        });
    }

    /// <exception cref="InvalidDataException">The bytes are not a usable image (the message says why).</exception>
    /// <exception cref="MlNetTransferException">The model's backbone has no convolutional map before its features.</exception>
    public Explanation Explain(byte[] image, string? name, long maxPixels = ImageCheck.DefaultMaxPixels)
    {
        var pixels = new float[_decoder.Length];
        _decoder.DecodeChecked(image, name, maxPixels, pixels);
        var (answer, heatmap) = _gradCam.Value.Run(pixels);
        var overlay = HeatmapOverlay.Png(pixels, _decoder.Side, _viewSide, heatmap);
        return new Explanation(Prediction.FromAnswer(name ?? "", _model.Classes, answer), heatmap.Width, heatmap.Height, heatmap.Values, overlay);
    }

    /// <summary>Explains an image file.</summary>
    public Explanation Explain(string imagePath) => Explain(ImageFile.Read(imagePath), imagePath);

    public void Dispose()
    {
        if (_gradCam.IsValueCreated) _gradCam.Value.Dispose();
    }
}
