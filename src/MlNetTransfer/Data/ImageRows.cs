using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetTransfer.Data;

/// <summary>
/// The encoded images of an ML.NET data view's rows, read when they are wanted rather than all held: one cursor moves
/// forward through the rows (the extractor asks for them in row order), so at most the rows being decoded are in
/// memory, whatever the number of rows. Thread-safe.
/// </summary>
internal sealed class ImageRows(IDataView data, DataViewSchema.Column image, DataViewSchema.Column label) : IDisposable
{
    private readonly object _gate = new();
    private DataViewRowCursor? _cursor;
    private ValueGetter<VBuffer<byte>>? _getImage;
    private ValueGetter<uint>? _getLabel;
    private VBuffer<byte> _buffer;
    private bool _disposed;
    private bool _exhausted; // the cursor ran out of rows (its Position is -1 again): the next read starts a new one

    /// <summary>The image of row <paramref name="index"/> (counted from 0 over every row), whose label key was <paramref name="key"/> when the rows were first read.</summary>
    /// <exception cref="InvalidDataException">The data view no longer gives that row (its rows come in another order on each read).</exception>
    public byte[] Read(long index, uint key)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_cursor is null || _exhausted || _cursor.Position > index)
            {
                _cursor?.Dispose();
                _cursor = data.GetRowCursor([image, label]);
                _getImage = _cursor.GetGetter<VBuffer<byte>>(image);
                _getLabel = _cursor.GetGetter<uint>(label);
                _exhausted = false;
            }
            while (_cursor.Position < index)
                if (_exhausted = !_cursor.MoveNext())
                    throw new InvalidDataException($"The data has no row {index} any more: it must give the same rows on every read.");
            uint now = 0;
            _getLabel!(ref now);
            if (now != key)
                throw new InvalidDataException($"Row {index} of the data changed its label between two reads: the data must give its rows in the same order on every read (a shuffle needs a fixed seed).");
            _getImage!(ref _buffer);
            return _buffer.DenseValues().ToArray();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _cursor?.Dispose();
            _cursor = null;
            _disposed = true;
        }
    }
}

/// <summary>One row of <see cref="ImageRows"/>: where an image of the estimator's data is read from.</summary>
internal sealed record ImageRow(ImageRows Rows, long Index, uint Key)
{
    public byte[] Read() => Rows.Read(Index, Key);
}
