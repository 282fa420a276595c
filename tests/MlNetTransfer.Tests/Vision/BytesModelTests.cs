using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetTransfer.Model;
using MlNetTransfer.Tests.Support;
using MlNetTransfer.Vision; // as code written for ML.NET's trainer has `using Microsoft.ML.Vision;`

namespace MlNetTransfer.Tests.Vision;

/// <summary>Models that take the encoded image's bytes, as ML.NET's image classification, Model Builder and web apps pass them.</summary>
public class BytesModelTests
{
    // train --input bytes: a web app (a separate process, the ML.NET PredictionEngine fed uploaded bytes, no setup
    // line) reproduces the trainer's validation predictions within 1e-4, and stopped by SIGTERM leaves nothing in its
    // temp folder (ML.NET's copy of the graph goes when the app disposes the model).
    [Fact]
    [Trait("Category", "Slow")]
    public void ABytesModelServedByAWebAppPredictsWhatTrainingMeasured()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 8);
        var report = ImageClassifier.Train(new TrainSettings
        {
            DataFolder = dir.Combine("data"), OutputFolder = dir.Combine("run"), CacheFolder = dir.Combine("cache"),
            Training = { Epochs = 5 }, Input = ImageInputKind.Bytes, InputColumn = "Image",
        });
        Assert.Equal(new MlNetTransfer.Model.ModelInput(ImageInputKind.Bytes, "Image"), ModelFile.Read(report.ModelPath).Info.Input);

        string temp = Directory.CreateDirectory(dir.Combine("temp")).FullName;
        bool GraphCopyInTemp() => Directory.GetFiles(temp).Any(f => new FileInfo(f).Length > 1_000_000);
        using (var web = new WebConsumerProcess(report.ModelPath, temp))
        {
            Assert.True(GraphCopyInTemp(), "ML.NET's copy of the graph, while the app runs");
            foreach (var expected in report.ValidationPredictions)
            {
                var (label, scores) = web.Predict(File.ReadAllBytes(expected.ImagePath));
                Assert.Equal(expected.PredictedLabel, label);
                for (int k = 0; k < scores.Length; k++)
                    Assert.True(Math.Abs(expected.Scores[k] - scores[k]) <= 1e-4, $"{expected.ImagePath} class {k}: {expected.Scores[k]} vs {scores[k]}");
            }
            Assert.Equal(0, web.Stop());
        }
        Assert.False(GraphCopyInTemp(), "the copy of the graph is still in the temp folder");
        // The tool's own loader runs it too: TrainedModel feeds a bytes model the file's bytes.
        using var model = TrainedModel.Load(report.ModelPath);
        Assert.Equal(report.ValidationPredictions[0].PredictedLabel, model.Predict(report.ValidationPredictions[0].ImagePath).PredictedLabel);
    }

    public class ModelInput
    {
        [LoadColumn(0), ColumnName("Label")] public string Label { get; set; } = "";
        [LoadColumn(1), ColumnName("ImageSource")] public byte[] ImageSource { get; set; } = [];
    }

    public class ModelOutput
    {
        [ColumnName("Label")] public uint Label { get; set; }
        [ColumnName("ImageSource")] public byte[] ImageSource { get; set; } = [];
        [ColumnName("PredictedLabel")] public string PredictedLabel { get; set; } = "";
        [ColumnName("Score")] public float[] Score { get; set; } = [];
    }

    // Model Builder's pipeline for image classification, on bytes: it trains, the saved model loads in a fresh
    // context and predicts the same as the fitted one, its Label key names the Score slots, and the trainer's progress
    // reaches MLContext.Log as ML.NET's trainer writes it (bottleneck per image, then each epoch's figures).
    [Fact]
    [Trait("Category", "Slow")]
    public void ModelBuildersBytesPipelineTrainsSavesLoadsAndLogsItsProgress()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("images"), perClass: 10);
        var mlContext = new MLContext(seed: 1);
        var log = new List<LoggingEventArgs>();
        mlContext.Log += (_, e) => { if (e.Source.StartsWith("ImageClassificationTrainer")) lock (log) log.Add(e); };
        var rows = Directory.GetDirectories(dir.Combine("images")).SelectMany(d => Directory.GetFiles(d)
            .Select(f => new ModelInput { Label = Path.GetFileName(d), ImageSource = File.ReadAllBytes(f) })).ToList();
        var data = mlContext.Data.LoadFromEnumerable(rows);

        var pipeline = mlContext.Transforms.Conversion.MapValueToKey(outputColumnName: "Label", inputColumnName: "Label", addKeyValueAnnotationsAsText: false)
            .Append(mlContext.MulticlassClassification.Trainers.ImageClassification(labelColumnName: "Label", scoreColumnName: "Score", featureColumnName: "ImageSource"))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue(outputColumnName: "PredictedLabel", inputColumnName: "PredictedLabel"));
        using var model = pipeline.Fit(data);
        string zip = dir.Combine("MLModel.mlnet");
        mlContext.Model.Save(model, data.Schema, zip);

        var fitted = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
        var fresh = new MLContext();
        using var loadedModel = (IDisposable)fresh.Model.Load(zip, out _);
        var loaded = fresh.Model.CreatePredictionEngine<ModelInput, ModelOutput>((ITransformer)loadedModel);
        VBuffer<ReadOnlyMemory<char>> keys = default;
        loaded.OutputSchema["Label"].GetKeyValues(ref keys);
        var labels = keys.DenseValues().Select(k => k.ToString()).ToList();
        Assert.Equal(["circle", "square", "triangle"], labels.Order());
        int correct = 0;
        foreach (var row in rows)
        {
            var a = fitted.Predict(new ModelInput { ImageSource = row.ImageSource });
            var b = loaded.Predict(new ModelInput { ImageSource = row.ImageSource });
            Assert.Equal(a.PredictedLabel, b.PredictedLabel);
            Assert.Equal(labels[Array.IndexOf(b.Score, b.Score.Max())], b.PredictedLabel); // Score slots follow the Label key, as Model Builder's code reads them
            Assert.All(a.Score.Zip(b.Score), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5));
            if (b.PredictedLabel == row.Label) correct++;
        }
        Assert.True(correct >= rows.Count * 0.8, $"{correct} of {rows.Count} right");

        var messages = log.Select(e => e.Message).ToList();
        Assert.Equal("[Source=ImageClassificationTrainer; ImageClassificationTrainer, Kind=Trace] Channel started", messages[0]);
        Assert.Equal(rows.Count, messages.Count(m => m.Contains("Phase: Bottleneck Computation")));
        Assert.Contains(messages, m => m.Contains("Phase: Bottleneck Computation, Dataset used: Validation, Image Index:   1"));
        Assert.Contains(messages, m => m.Contains("Phase: Training, Dataset used:      Train, Batch Processed Count:") && m.Contains("Learning Rate:"));
        Assert.Contains(messages, m => m.Contains("Phase: Training, Dataset used: Validation, Batch Processed Count:"));
        Assert.DoesNotContain(log, e => e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning);
    }

    // A bytes model refuses what is not an image, naming the reason, and a decompression bomb is refused from its
    // header before anything is decoded.
    [Fact]
    public void ABytesModelRefusesBytesThatAreNoUsableImage()
    {
        var decoded = new ImageBytesDecoding.DecodedImage();
        var empty = Assert.Throws<InvalidDataException>(() => ImageBytesDecoding.Decode(new ImageBytesDecoding.EncodedImage { Bytes = [] }, decoded));
        Assert.Contains("empty", empty.Message);
        var text = Assert.Throws<InvalidDataException>(() => ImageBytesDecoding.Decode(new ImageBytesDecoding.EncodedImage { Bytes = "not an image"u8.ToArray() }, decoded));
        Assert.Contains("not a decodable image", text.Message);
        var bomb = Assert.Throws<InvalidDataException>(() => ImageBytesDecoding.Decode(new ImageBytesDecoding.EncodedImage { Bytes = OddImages.PngHeaderClaiming(30000, 30000) }, decoded));
        Assert.Contains("too large", bomb.Message);
    }
}
