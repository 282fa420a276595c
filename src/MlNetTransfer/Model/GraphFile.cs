namespace MlNetTransfer.Model;

/// <summary>
/// An ONNX graph in a temp file of ours, for ML.NET's <c>ApplyOnnxModel</c>. Given a stream instead, ML.NET 6 writes a
/// temp copy of its own that no Dispose deletes (a few hundred bytes for the placeholder graphs the tool saves around,
/// 62 MB for the estimator's ResNet18 model). Dispose the pipeline first (it holds the file open), then this.
/// </summary>
internal sealed class GraphFile : IDisposable
{
    public GraphFile(byte[] graph)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mlnettransfer-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(Path, graph);
    }

    public string Path { get; }

    /// <summary>
    /// Writes <paramref name="graph"/> for a pipeline handed to a caller, who may save it at any time (ML.NET reads the
    /// file again to save it): the file stays while the process runs and is deleted when it exits.
    /// </summary>
    public static string KeptUntilExit(byte[] graph)
    {
        var file = new GraphFile(graph);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => file.Dispose();
        return file.Path;
    }

    public void Dispose()
    {
        // Where a pipeline still holds it open (Windows refuses the delete), the file stays: a leak, not a failure.
        try { File.Delete(Path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
