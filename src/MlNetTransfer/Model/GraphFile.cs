namespace MlNetTransfer.Model;

/// <summary>
/// An ONNX graph in a temp file of ours, for ML.NET's <c>ApplyOnnxModel</c>. Given a stream instead, ML.NET 6 writes a
/// temp copy of its own that no Dispose deletes: 62 MB left in the temp folder per pipeline built around ResNet18.
/// Dispose the pipeline first (it holds the file open), then this.
/// </summary>
internal sealed class GraphFile : IDisposable
{
    public GraphFile(byte[] graph)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mlnettransfer-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(Path, graph);
    }

    public string Path { get; }

    public void Dispose()
    {
        // Where a pipeline still holds it open (Windows refuses the delete), the file stays: a leak, not a failure.
        try { File.Delete(Path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
