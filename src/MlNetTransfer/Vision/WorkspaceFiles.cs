using System.Globalization;
using System.Text;
using MlNetTransfer.IO;
using MlNetTransfer.Model;
using MlNetTransfer.Pipeline;

namespace MlNetTransfer.Vision;

/// <summary>
/// What ML.NET's trainer leaves in a workspace the user names: the bottleneck values of each set as CSV (label index,
/// then the features, one image a line) and the final model (here the trained classifier as one ONNX file).
/// </summary>
internal static class WorkspaceFiles
{
    /// <param name="graph">The trained classifier's graph (<see cref="ModelWriter.Graph"/>).</param>
    public static void Write(string workspace, ImageClassificationTrainer.Options options, PipelineResult result, byte[] graph)
    {
        var features = result.Extraction.Features;
        AtomicFile.Write(Path.Combine(workspace, options.TrainSetBottleneckCachedValuesFileName), stream => WriteCsv(stream, result.Train, features));
        AtomicFile.Write(Path.Combine(workspace, options.ValidationSetBottleneckCachedValuesFileName), stream => WriteCsv(stream, result.Validation, features));
        string finalModel = Path.Combine(workspace, $"{options.FinalModelPrefix}{result.Backbone.Name}.onnx");
        var classes = result.Dataset.Classes;
        AtomicFile.Write(finalModel, ClassifierGraph.BuildExportGraph(SavedGraph.Parse(graph, classes.Count), result.Backbone, classes));
    }

    // Written line by line: thousands of rows of 512 numbers are tens of megabytes as one string.
    private static void WriteCsv(Stream destination, IEnumerable<Data.LabelledImage> images, IReadOnlyDictionary<string, float[]> features)
    {
        using var csv = new StreamWriter(destination, new UTF8Encoding(false), leaveOpen: true);
        foreach (var image in images)
        {
            csv.Write(image.Label.ToString(CultureInfo.InvariantCulture));
            foreach (var value in features[image.Path])
            {
                csv.Write(',');
                csv.Write(value.ToString("R", CultureInfo.InvariantCulture));
            }
            csv.Write('\n');
        }
    }
}
