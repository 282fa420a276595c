// POST /predict with an image's bytes as the body: the model given by --model (a bytes model with input column
// "Image", as ML.NET's image classification sample has it) predicts it through ML.NET's PredictionEngine.
// Answers: predicted label <TAB> comma-separated probabilities (round-trip format).
using System.Globalization;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;

var builder = WebApplication.CreateBuilder(args);
var modelPath = builder.Configuration["model"] ?? throw new ArgumentException("usage: WebConsumer --model MODEL.zip [--urls http://127.0.0.1:PORT]");
var ml = new MLContext();
var model = ml.Model.Load(modelPath, out _);
// PredictionEngine is not thread-safe: one per request at a time, from a pool (what PredictionEnginePool does).
var engines = new DefaultObjectPool<PredictionEngine<InMemoryImageData, ImagePrediction>>(new EnginePolicy(ml, model));
var app = builder.Build();
// ML.NET copies the model's ONNX graph into the temp folder (62 MB) and deletes the copy when the model is disposed.
app.Lifetime.ApplicationStopped.Register(() => (model as IDisposable)?.Dispose());
app.MapPost("/predict", async (HttpRequest request) =>
{
    using var body = new MemoryStream();
    await request.Body.CopyToAsync(body);
    var engine = engines.Get();
    try
    {
        var prediction = engine.Predict(new InMemoryImageData { Image = body.ToArray(), Label = "", ImageFileName = "upload" });
        return Results.Text($"{prediction.PredictedLabel}\t{string.Join(",", prediction.Score.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))}");
    }
    finally
    {
        engines.Return(engine);
    }
});
app.Run();

class EnginePolicy(MLContext ml, ITransformer model) : PooledObjectPolicy<PredictionEngine<InMemoryImageData, ImagePrediction>>
{
    public override PredictionEngine<InMemoryImageData, ImagePrediction> Create() => ml.Model.CreatePredictionEngine<InMemoryImageData, ImagePrediction>(model);
    public override bool Return(PredictionEngine<InMemoryImageData, ImagePrediction> engine) => true;
}

class InMemoryImageData
{
    public byte[] Image = [];
    public string Label = "";
    public string ImageFileName = "";
}

class ImagePrediction
{
    public float[] Score = [];
    public string PredictedLabel = "";
}
