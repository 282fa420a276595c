using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace MlNetTransfer.Model;

/// <summary>
/// Turns the head's logits into ML.NET's standard multiclass outputs: <c>Score</c> (softmax probabilities) and
/// <c>PredictedLabel</c> (the class name, a scalar string).
/// </summary>
/// <remarks>
/// ML.NET 5.0.1's ONNX transformer can only output vectors, and no public transform turns a one-element vector
/// into the scalar string a consuming app binds <c>PredictedLabel</c> to. ML.NET's own multiclass scorer does. So
/// the scorer comes from a maximum-entropy model whose weights are set to the identity: softmax(I·logits + 0) is
/// exactly the head's softmax. The model is fitted through the public API (so its label names and schema are
/// ML.NET's own) and only its weight values are replaced (<see cref="MlNetInternals.SetScorerToIdentity"/>). Everything saved is a stock ML.NET component, so a
/// consuming app needs nothing but the ML.NET packages.
/// </remarks>
internal static class LabelScorer
{
    /// <summary>Score and PredictedLabel (a string).</summary>
    public static ITransformer Create(MLContext ml, IReadOnlyList<string> classes, string logitsColumn)
    {
        var (scorer, toName) = CreateParts(ml, classes, logitsColumn);
        return new TransformerChain<ITransformer>(scorer, toName);
    }

    /// <summary>Score and PredictedLabel as a key whose values are <paramref name="classes"/> (ML.NET's trainer convention).</summary>
    public static ITransformer CreateKeyed(MLContext ml, IReadOnlyList<string> classes, string logitsColumn) =>
        CreateParts(ml, classes, logitsColumn).Scorer;

    private static (ITransformer Scorer, ITransformer ToName) CreateParts(MLContext ml, IReadOnlyList<string> classes, string logitsColumn)
    {
        int c = classes.Count;
        // One row per class with that class's one-hot logits: enough for the trainer to build a model of the right shape.
        var rows = Enumerable.Range(0, c * 2).Select(i => new Row
        {
            Label = classes[i % c],
            Logits = Enumerable.Range(0, c).Select(k => k == i % c ? 1f : 0f).ToArray(),
        }).ToList();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Logits)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, c);
        schema[nameof(Row.Logits)].ColumnName = logitsColumn;
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        // Key order = class order, so PredictedLabel's key k is class k and Score's slots follow the class list.
        var keyOrder = ml.Data.LoadFromEnumerable(classes.Select(name => new KeyRow { Label = name }));
        var keyed = ml.Transforms.Conversion.MapValueToKey(nameof(Row.Label), nameof(Row.Label), keyData: keyOrder).Fit(data).Transform(data);
        var trainer = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            LabelColumnName = nameof(Row.Label),
            FeatureColumnName = logitsColumn,
            MaximumNumberOfIterations = 1,
        });
        var scorer = trainer.Fit(keyed);
        MlNetInternals.SetScorerToIdentity(scorer.Model, c);
        var toName = ml.Transforms.Conversion.MapKeyToValue(ModelColumns.PredictedLabel).Fit(scorer.Transform(keyed));
        return (scorer, toName);
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";
        public float[] Logits { get; set; } = [];
    }

    private sealed class KeyRow
    {
        public string Label { get; set; } = "";
    }
}
