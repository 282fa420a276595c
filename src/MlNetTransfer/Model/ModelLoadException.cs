namespace MlNetTransfer.Model;

/// <summary>A model file that is missing, not a zip, truncated, or not a model this tool wrote.</summary>
public sealed class ModelLoadException(string path, string reason, Exception? inner = null)
    : MlNetTransferException($"Cannot load model {path}: {reason}", inner)
{
    public string ModelPath { get; } = path;
    public string Reason { get; } = reason;
}
