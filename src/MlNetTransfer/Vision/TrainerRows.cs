using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetTransfer.Data;
using MlNetTransfer.Model;

namespace MlNetTransfer.Vision;

/// <summary>The estimator's input rows: images (bytes or paths) with their key labels, and the class names.</summary>
internal static class TrainerRows
{
    /// <summary>The input kind of <paramref name="column"/>: text is a path, a vector of bytes an encoded image.</summary>
    /// <exception cref="ArgumentException">Neither.</exception>
    public static ImageInputKind KindOf(DataViewSchema.Column column) => column.Type switch
    {
        TextDataViewType => ImageInputKind.Path,
        VectorDataViewType { ItemType: var item } when item == NumberDataViewType.Byte => ImageInputKind.Bytes,
        _ => throw new ArgumentException($"Feature column '{column.Name}' must hold encoded images (byte[], as LoadRawImageBytes gives them) or image file paths (text), not {column.Type}."),
    };

    /// <summary>
    /// Reads every row's label (and path); rows are named "<paramref name="set"/> row N" (bytes) or by their path. An
    /// encoded image is not read here but when it is extracted, through <c>Images</c> (the caller disposes it), so
    /// that the rows' bytes are never all in memory. The class names come from the label's key values unless
    /// <paramref name="classes"/> is given (validation data).
    /// </summary>
    public static (IReadOnlyList<string> Classes, ImageInputKind Kind, List<LabelledImage> Rows, ImageRows? Images) Read(IDataView data, string imageColumn, string labelColumn,
        IReadOnlyList<string>? classes, string set)
    {
        var schema = data.Schema;
        var feature = schema.GetColumnOrNull(imageColumn)
            ?? throw new ArgumentException($"Feature column '{imageColumn}' not found in the {set} data. Columns: {string.Join(", ", schema.Select(c => c.Name))}.");
        var kind = KindOf(feature);
        var label = schema.GetColumnOrNull(labelColumn)
            ?? throw new ArgumentException($"Label column '{labelColumn}' not found in the {set} data.");
        if (label.Type is not KeyDataViewType)
            throw new ArgumentException($"Label column '{labelColumn}' must be a key (use MapValueToKey), not {label.Type}.");
        classes ??= ClassNames(label);
        var rows = new List<LabelledImage>();
        var images = kind == ImageInputKind.Bytes ? new ImageRows(data, feature, label) : null;
        using var cursor = kind == ImageInputKind.Path ? data.GetRowCursor([feature, label]) : data.GetRowCursor([label]);
        var getKey = cursor.GetGetter<uint>(label);
        var getPath = kind == ImageInputKind.Path ? cursor.GetGetter<ReadOnlyMemory<char>>(feature) : null;
        ReadOnlyMemory<char> path = default;
        uint key = 0;
        for (int row = 0; cursor.MoveNext(); row++)
        {
            getKey(ref key);
            if (key == 0 || key > classes.Count) continue; // a missing label
            if (getPath is not null)
            {
                getPath(ref path);
                rows.Add(new LabelledImage(path.ToString(), (int)key - 1));
            }
            else
                rows.Add(new LabelledImage($"{set} row {row}", (int)key - 1, new ImageRow(images!, row, key)));
        }
        return (classes, kind, rows, images);
    }

    // The label key's values as text (the model's PredictedLabel key carries these): text keys as they are, numbers
    // and booleans as their invariant text.
    private static IReadOnlyList<string> ClassNames(DataViewSchema.Column label)
    {
        if (label.Annotations.Schema.GetColumnOrNull("KeyValues") is not { Type: VectorDataViewType { ItemType: var itemType } })
            throw new ArgumentException($"Label column '{label.Name}' has no key values (class names).");
        IEnumerable<string> Values<T>(Func<T, string> text)
        {
            VBuffer<T> values = default;
            label.GetKeyValues(ref values);
            return values.DenseValues().Select(text).ToList();
        }
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        return (itemType switch
        {
            TextDataViewType => Values<ReadOnlyMemory<char>>(v => v.ToString()),
            _ when itemType.RawType == typeof(int) => Values<int>(v => v.ToString(invariant)),
            _ when itemType.RawType == typeof(uint) => Values<uint>(v => v.ToString(invariant)),
            _ when itemType.RawType == typeof(long) => Values<long>(v => v.ToString(invariant)),
            _ when itemType.RawType == typeof(float) => Values<float>(v => v.ToString("R", invariant)),
            _ when itemType.RawType == typeof(double) => Values<double>(v => v.ToString("R", invariant)),
            _ when itemType.RawType == typeof(bool) => Values<bool>(v => v ? "True" : "False"),
            _ => throw new ArgumentException($"Label column '{label.Name}' has key values of type {itemType}: use text or numbers."),
        }).ToList();
    }
}
