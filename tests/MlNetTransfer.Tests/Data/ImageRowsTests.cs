using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetTransfer.Data;

namespace MlNetTransfer.Tests.Data;

public class ImageRowsTests
{
    private sealed class Row
    {
        public byte[] Image { get; set; } = [];
        public string Label { get; set; } = "";
    }

    private static (IDataView Data, DataViewSchema.Column Image, DataViewSchema.Column Label) View(params (byte[] Image, string Label)[] rows)
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Image = r.Image, Label = r.Label })))
            .Transform(ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Image = r.Image, Label = r.Label })));
        return (data, data.Schema["Image"], data.Schema["Label"]);
    }

    // Rows are read forward; asking for an earlier one reads from the start again; the bytes are the row's.
    [Fact]
    public void RowsAreReadInAnyOrderAndGiveTheirOwnBytes()
    {
        var (data, image, label) = View(([1], "a"), ([2, 2], "b"), ([3, 3, 3], "a"));
        using var rows = new ImageRows(data, image, label);
        Assert.Equal([3, 3, 3], rows.Read(2, key: 1));
        Assert.Equal([1], rows.Read(0, key: 1));
        Assert.Equal([2, 2], rows.Read(1, key: 2));
    }

    // A row whose label is not the one first read means the data gives its rows in another order: an error, not the wrong image.
    [Fact]
    public void ARowWithAnotherLabelThanFirstReadIsAnErrorAndDisposedRowsAreRefused()
    {
        var (data, image, label) = View(([1], "a"), ([2], "b"));
        var rows = new ImageRows(data, image, label);
        Assert.Contains("same order", Assert.Throws<InvalidDataException>(() => rows.Read(1, key: 1)).Message);
        Assert.Contains("no row 5", Assert.Throws<InvalidDataException>(() => rows.Read(5, key: 1)).Message);
        Assert.Equal([1], rows.Read(0, key: 1)); // a cursor that ran out of rows is started again
        rows.Dispose();
        Assert.Throws<ObjectDisposedException>(() => rows.Read(0, key: 1));
    }

    // The extractor reads rows on its decoder threads: a row that fails there is the error the caller gets, not the
    // cancellation of the other decoders it causes.
    [Fact]
    public void AFailingRowIsTheExtractionsError()
    {
        var (data, image, label) = View(([1], "a"), ([2], "b"), ([3], "a"));
        using var rows = new ImageRows(data, image, label);
        var images = Enumerable.Range(0, 3).Select(i => new LabelledImage($"row {i}", 0, new ImageRow(rows, i, Key: 1))).ToList();
        using var extractor = new MlNetTransfer.Features.FeatureExtractor(MlNetTransfer.Backbones.BackboneRegistry.Get(),
            new MlNetTransfer.Features.ExtractorOptions { DecodeThreads = 2 });
        Assert.Contains("same order", Assert.Throws<InvalidDataException>(() => { extractor.Extract(images); }).Message);
    }
}
