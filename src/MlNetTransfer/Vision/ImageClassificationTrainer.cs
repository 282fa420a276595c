using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.Features;
using MlNetTransfer.Pipeline;
using MlNetTransfer.Model;
using MlNetTransfer.Training;

namespace MlNetTransfer.Vision;

/// <summary>
/// An ML.NET estimator in the place of ML.NET's TensorFlow-based ImageClassificationTrainer (not available on
/// Linux here): it reads an image-path column and a key label, trains on cached ResNet18 features, and returns a
/// transformer made of stock ML.NET components (LoadImages, ResizeImages, ExtractPixels, ApplyOnnxModel, the
/// multiclass scorer), which outputs Score and a key-typed PredictedLabel and saves into an ordinary model.zip.
/// Options carry ImageClassificationTrainer.Options' names where the concept is the same, so a pipeline ports by
/// changing <c>using Microsoft.ML.Vision;</c> to <c>using MlNetTransfer.Vision;</c>.
/// </summary>
public sealed class ImageClassificationTrainer : IEstimator<ITransformer>
{
    private readonly Options _options;

    public ImageClassificationTrainer(Options options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>Settings, named as in ML.NET's ImageClassificationTrainer.Options.</summary>
    public sealed class Options
    {
        /// <summary>Column with the image file path (text). Encoded image bytes are not supported: ML.NET's saved LoadImages reads paths.</summary>
        public string FeatureColumnName = "ImagePath";
        /// <summary>Key-typed label column (for example from MapValueToKey), with text key values.</summary>
        public string LabelColumnName = "Label";
        public string ScoreColumnName = "Score";
        public string PredictedLabelColumnName = "PredictedLabel";
        /// <summary>Most epochs (early stopping may end sooner).</summary>
        public int Epoch = 50;
        public int BatchSize = 32;
        public float LearningRate = 0.01f;
        /// <summary>Early stopping; null trains every epoch. The best epoch's weights are kept.</summary>
        public EarlyStopping? EarlyStoppingCriteria = new();
        /// <summary>Called after every epoch, once for the training set and once for the validation set.</summary>
        public Action<ImageClassificationMetrics>? MetricsCallback;
        /// <summary>Validation data with the same columns; null holds out <see cref="ValidationSetFraction"/> of the training data.</summary>
        public IDataView? ValidationSet;
        public float ValidationSetFraction = 0.2f;
        /// <summary>Folder of the feature cache ("bottleneck" values); null uses the default cache folder.</summary>
        public string? WorkspacePath;
        /// <summary>Reuse cached features of training images (false extracts afresh and stores nothing).</summary>
        public bool ReuseTrainSetBottleneckCachedValues = true;
        /// <summary>Reuse cached features of validation images.</summary>
        public bool ReuseValidationSetBottleneckCachedValues = true;
        public int Seed;
    }

    /// <summary>Which metric early stopping watches.</summary>
    public enum EarlyStoppingMetric
    {
        Accuracy,
        Loss,
    }

    /// <summary>Stop after <c>patience</c> epochs without an improvement larger than <c>minDelta</c> of the metric.</summary>
    public sealed class EarlyStopping(float minDelta = 0f, int patience = 10, EarlyStoppingMetric metric = EarlyStoppingMetric.Loss)
    {
        public float MinDelta { get; } = minDelta;
        public int Patience { get; } = patience;
        public EarlyStoppingMetric Metric { get; } = metric;
    }

    /// <summary>Trains and returns the fitted pipeline.</summary>
    /// <exception cref="ArgumentException">Missing columns or wrong column types.</exception>
    public ITransformer Fit(IDataView input)
    {
        var (classes, train) = ReadRows(input, classes: null);
        var validation = _options.ValidationSet is null ? null : ReadRows(_options.ValidationSet, classes).Rows;
        if (validation is null && train.Count < 2)
            throw new ArgumentException("At least two rows are needed to hold out validation data.", nameof(input));
        var dataset = ImageDataset.FromImages(classes, train, validation, _options.ValidationSetFraction, _options.Seed);

        var backbone = BackboneRegistry.Get();
        bool useCache = _options.ReuseTrainSetBottleneckCachedValues && _options.ReuseValidationSetBottleneckCachedValues;
        var extraction = new ExtractorOptions { Cache = useCache ? FeatureCache.For(backbone, _options.WorkspacePath) : null };
        var stopping = _options.EarlyStoppingCriteria;
        var training = new TrainingOptions
        {
            Epochs = _options.Epoch,
            BatchSize = _options.BatchSize,
            LearningRate = _options.LearningRate,
            Seed = _options.Seed,
            Patience = stopping?.Patience ?? 0,
            MinDelta = stopping?.MinDelta ?? 0,
            Monitor = stopping?.Metric == EarlyStoppingMetric.Accuracy ? MonitorMetric.Accuracy : MonitorMetric.Loss,
        };
        var progress = new SyncProgress<TrainingEvent>(e => { if (e is EpochEnded { Metrics: var m }) Report(m); });
        var result = TrainingPipeline.Run(dataset, backbone, extraction, training, new AugmentationSettings(0, new ViewAugmentation()), progress, default);
        return BuildTransformer(backbone, result.Training.BestWeights, classes);
    }

    private void Report(EpochMetrics m)
    {
        if (_options.MetricsCallback is not { } callback) return;
        callback(new ImageClassificationMetrics { Train = new TrainMetrics { DatasetUsed = ImageClassificationMetricsDataset.Train, Epoch = m.Epoch - 1, Accuracy = (float)m.TrainAccuracy, CrossEntropy = (float)m.TrainLoss, LearningRate = _options.LearningRate } });
        callback(new ImageClassificationMetrics { Train = new TrainMetrics { DatasetUsed = ImageClassificationMetricsDataset.Validation, Epoch = m.Epoch - 1, Accuracy = (float)m.ValidationAccuracy, CrossEntropy = (float)m.ValidationLoss, LearningRate = _options.LearningRate } });
    }

    private ITransformer BuildTransformer(BackboneDescription backbone, HeadWeights head, IReadOnlyList<string> classes)
    {
        if (_options.ScoreColumnName != ModelColumns.Score || _options.PredictedLabelColumnName != ModelColumns.PredictedLabel)
            throw new ArgumentException($"Only the default output columns ({ModelColumns.Score}, {ModelColumns.PredictedLabel}) are supported.");
        var ml = new MLContext(seed: 0);
        byte[] graph = ClassifierGraph.BuildMlNetGraph(backbone, head, classes);
        // A column name of its own, so a user's "Image" column (LoadRawImageBytes' usual name) is left alone.
        var pipeline = ModelFront.PathToLogits(ml, backbone, _options.FeatureColumnName, graph);
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<PathRow>(), SchemaDefinitionFor(_options.FeatureColumnName));
        var imageToLogits = pipeline.Fit(empty);
        var scorer = LabelScorer.CreateKeyed(ml, classes, ClassifierGraph.LogitsOutput);
        return new TransformerChain<ITransformer>(imageToLogits, scorer, ml.Transforms.DropColumns(ClassifierGraph.LogitsOutput).Fit(scorer.Transform(imageToLogits.Transform(empty))));
    }

    private static SchemaDefinition SchemaDefinitionFor(string column)
    {
        var definition = SchemaDefinition.Create(typeof(PathRow));
        definition[0].ColumnName = column;
        return definition;
    }

    private (IReadOnlyList<string> Classes, List<LabelledImage> Rows) ReadRows(IDataView data, IReadOnlyList<string>? classes)
    {
        var schema = data.Schema;
        var feature = schema.GetColumnOrNull(_options.FeatureColumnName)
            ?? throw new ArgumentException($"Feature column '{_options.FeatureColumnName}' not found. Columns: {string.Join(", ", schema.Select(c => c.Name))}.");
        if (feature.Type is not TextDataViewType)
            throw new ArgumentException($"Feature column '{feature.Name}' must hold image file paths (text), not {feature.Type}. Use image paths rather than LoadRawImageBytes: the saved model loads images by path.");
        var label = schema.GetColumnOrNull(_options.LabelColumnName)
            ?? throw new ArgumentException($"Label column '{_options.LabelColumnName}' not found.");
        if (label.Type is not KeyDataViewType)
            throw new ArgumentException($"Label column '{label.Name}' must be a key (use MapValueToKey), not {label.Type}.");
        if (classes is null)
        {
            VBuffer<ReadOnlyMemory<char>> keyValues = default;
            if (!label.HasKeyValues())
                throw new ArgumentException($"Label column '{label.Name}' has no key values (class names).");
            label.GetKeyValues(ref keyValues);
            classes = keyValues.DenseValues().Select(v => v.ToString()).ToList();
        }
        var rows = new List<LabelledImage>();
        using var cursor = data.GetRowCursor([feature, label]);
        var getPath = cursor.GetGetter<ReadOnlyMemory<char>>(feature);
        var getLabel = cursor.GetGetter<uint>(label);
        ReadOnlyMemory<char> path = default;
        uint key = 0;
        while (cursor.MoveNext())
        {
            getPath(ref path);
            getLabel(ref key);
            if (key == 0 || key > classes.Count) continue; // missing label
            rows.Add(new LabelledImage(path.ToString(), (int)key - 1));
        }
        if (classes.Count < 2)
            throw new ArgumentException("At least two classes are needed.");
        return (classes, rows);
    }

    /// <summary>Adds Score (vector of float) and PredictedLabel (key) to the input's columns.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var label = inputSchema.FirstOrDefault(c => c.Name == _options.LabelColumnName);
        if (label.Name is null || !label.IsKey)
            throw new ArgumentException($"Label column '{_options.LabelColumnName}' must be a key (use MapValueToKey).", nameof(inputSchema));
        var feature = inputSchema.FirstOrDefault(c => c.Name == _options.FeatureColumnName);
        if (feature.Name is null || feature.ItemType is not TextDataViewType || feature.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentException($"Feature column '{_options.FeatureColumnName}' must hold image file paths (text). Use image paths rather than LoadRawImageBytes: the saved model loads images by path.", nameof(inputSchema));
        const int classCount = 1; // a shape has no key count; the fitted transformer has the real one
        // PredictedLabel carries text key values (the class names once fitted), so MapKeyToValue can follow the trainer.
        var keyValues = new DataViewSchema.Annotations.Builder();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> names = (ref VBuffer<ReadOnlyMemory<char>> dst) =>
            dst = new VBuffer<ReadOnlyMemory<char>>(classCount, Enumerable.Range(0, classCount).Select(i => i.ToString().AsMemory()).ToArray());
        keyValues.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, classCount), names);
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(ModelColumns.Score, new VectorDataViewType(NumberDataViewType.Single, classCount));
        builder.AddColumn(ModelColumns.PredictedLabel, new KeyDataViewType(typeof(uint), classCount), keyValues.ToAnnotations());
        // SchemaShape.Create(DataViewSchema) is internal to ML.NET; it is the one way to make shape columns from types.
        var added = MlNetInternals.ShapeOf(builder.ToSchema());
        return new SchemaShape(inputSchema.Where(c => c.Name != ModelColumns.Score && c.Name != ModelColumns.PredictedLabel).Concat(added));
    }

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }
}
