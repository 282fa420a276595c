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
    public static void Write(string workspace, ImageClassificationTrainer.Options options, PipelineResult result)
    {
        var features = result.Extraction.Features;
        AtomicFile.WriteText(Path.Combine(workspace, options.TrainSetBottleneckCachedValuesFileName), Csv(result.Train, features));
        AtomicFile.WriteText(Path.Combine(workspace, options.ValidationSetBottleneckCachedValuesFileName), Csv(result.Validation, features));
        string finalModel = Path.Combine(workspace, $"{options.FinalModelPrefix}{result.Backbone.Name}.onnx");
        var classes = result.Dataset.Classes;
        var graph = SavedGraph.Parse(ClassifierGraph.BuildMlNetGraph(result.Backbone, result.Training.BestWeights, classes), classes.Count);
        AtomicFile.Write(finalModel, ClassifierGraph.BuildExportGraph(graph, result.Backbone, classes));
    }

    private static string Csv(IEnumerable<Data.LabelledImage> images, IReadOnlyDictionary<string, float[]> features)
    {
        var csv = new StringBuilder();
        foreach (var image in images)
            csv.Append(image.Label.ToString(CultureInfo.InvariantCulture)).Append(',')
                .AppendJoin(',', features[image.Path].Select(v => v.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        return csv.ToString();
    }
}
