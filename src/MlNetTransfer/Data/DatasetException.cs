namespace MlNetTransfer.Data;

/// <summary>The data set as a whole cannot be used (missing folder, fewer than two classes, a class without images).</summary>
public sealed class DatasetException(string message) : MlNetTransferException(message);
